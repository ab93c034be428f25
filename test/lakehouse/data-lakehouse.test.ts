import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ColumnType, DataLakehouse, LakehouseZone, ObjectLockMode, Profiles, TableFormat,
} from '../../lib';
import { testStack } from '../helpers/app';

function build(props: ConstructorParameters<typeof DataLakehouse>[2] = {}, stack: Stack = testStack()) {
  const lake = new DataLakehouse(stack, 'Lake', props);
  let template: Template | undefined;
  // Synthesized on first use, so that tests can still add grants before reading the template.
  return { stack, lake, get template() { return (template ??= Template.fromStack(stack)); } };
}

const zoneBuckets = (t: Template) => Object.entries(t.findResources('AWS::S3::Bucket'))
  .filter(([id]) => /Lake(Raw|Curated|Analytics)Bucket/.test(id));

describe('DataLakehouse zones', () => {
  const { template, lake } = build();

  test('creates three zone buckets and one access-log bucket', () => {
    template.resourceCountIs('AWS::S3::Bucket', 4);
    expect(zoneBuckets(template)).toHaveLength(3);
    expect(lake.zones).toEqual(['raw', 'curated', 'analytics']);
  });

  test('one customer-managed key with rotation encrypts every zone with bucket keys on', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    for (const [, bucket] of zoneBuckets(template)) {
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([{
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': [keyId, 'Arn'] } },
      }]);
    }
  });

  test('every bucket is versioned and blocks all four kinds of public access', () => {
    for (const bucket of Object.values(template.findResources('AWS::S3::Bucket'))) {
      expect(bucket.Properties.VersioningConfiguration).toEqual({ Status: 'Enabled' });
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      });
    }
  });

  test('every bucket policy denies requests without TLS 1.2', () => {
    const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(4);
    for (const policy of policies) {
      const statements = policy.Properties.PolicyDocument.Statement as Array<Record<string, unknown>>;
      expect(statements).toEqual(expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } } }),
      ]));
    }
  });

  test('zones log access to the log bucket under their own prefix, allowed by bucket policy', () => {
    const logBucketId = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.includes('AccessLog'))!;
    for (const zone of ['raw', 'curated', 'analytics']) {
      template.hasResourceProperties('AWS::S3::Bucket', {
        LoggingConfiguration: { DestinationBucketName: { Ref: logBucketId }, LogFilePrefix: `${zone}/` },
      });
    }
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logBucketId },
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Effect: 'Allow',
          Principal: { Service: 'logging.s3.amazonaws.com' },
          Action: 's3:PutObject',
          Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '123456789012' } }),
        })]),
      },
    });
  });

  test('the access-log bucket uses SSE-S3 (log delivery cannot use KMS) and expires logs', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: Profiles.PROD.accessLogRetention.toDays() })]) },
    });
  });

  test('lifecycle tiers each zone, expires noncurrent versions and aborts multipart uploads', () => {
    const expected: Record<string, Array<{ StorageClass: string; TransitionInDays: number }>> = {
      Raw: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }, { StorageClass: 'GLACIER', TransitionInDays: 180 }],
      Curated: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 90 }, { StorageClass: 'GLACIER', TransitionInDays: 365 }],
      Analytics: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 30 }],
    };
    for (const [id, bucket] of zoneBuckets(template)) {
      const zone = /Lake(Raw|Curated|Analytics)Bucket/.exec(id)![1];
      const rule = bucket.Properties.LifecycleConfiguration.Rules.find((r: { Id: string }) => r.Id === 'Tiering');
      expect(rule.Transitions).toEqual(expected[zone]);
      expect(rule.NoncurrentVersionExpiration).toEqual({ NoncurrentDays: 90 });
      expect(rule.AbortIncompleteMultipartUpload).toEqual({ DaysAfterInitiation: 7 });
      expect(rule.Status).toBe('Enabled');
    }
  });

  test('S3 events go to EventBridge without a notification custom resource', () => {
    for (const [, bucket] of zoneBuckets(template)) {
      expect(bucket.Properties.NotificationConfiguration).toEqual({ EventBridgeConfiguration: { EventBridgeEnabled: true } });
    }
    template.resourceCountIs('Custom::S3BucketNotifications', 0);
    template.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('no Object Lock unless asked', () => {
    for (const [, bucket] of zoneBuckets(template)) expect(bucket.Properties.ObjectLockEnabled).toBeUndefined();
  });

  test('zone buckets have generated names', () => {
    for (const [, bucket] of zoneBuckets(template)) expect(bucket.Properties.BucketName).toBeUndefined();
  });
});

describe('DataLakehouse options', () => {
  test('Object Lock on the raw zone sets a default retention', () => {
    const { template } = build({ zones: { raw: { objectLock: { mode: ObjectLockMode.COMPLIANCE, retention: Duration.days(365) } } } });
    template.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 365 } } },
    });
  });

  test('lifecycle ages come from props and expiry from expireAfter', () => {
    const { template } = build({
      zones: { curated: { lifecycle: { infrequentAccessAfter: Duration.days(45), glacierAfter: Duration.days(120), expireAfter: Duration.days(800), noncurrentVersionExpiration: Duration.days(3) } } },
    });
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({
        Id: 'Tiering',
        ExpirationInDays: 800,
        NoncurrentVersionExpiration: { NoncurrentDays: 3 },
        Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: 45 }, { StorageClass: 'GLACIER', TransitionInDays: 120 }],
      })]) },
    });
  });

  test('an explicit, valid bucket name is used', () => {
    const { template } = build({ zones: { raw: { bucketName: 'acme-ml-raw-zone' } } });
    template.hasResourceProperties('AWS::S3::Bucket', { BucketName: 'acme-ml-raw-zone' });
  });

  test('EventBridge notifications can be turned off', () => {
    const { template } = build({ eventBridgeEnabled: false });
    for (const [, bucket] of zoneBuckets(template)) expect(bucket.Properties.NotificationConfiguration).toBeUndefined();
  });
});

describe('DataLakehouse catalog', () => {
  const { template, lake } = build({
    name: 'sales',
    tables: [
      {
        name: 'orders', zone: LakehouseZone.RAW,
        columns: [{ name: 'order_id', type: ColumnType.STRING }, { name: 'amount', type: ColumnType.decimal(12, 2) }, { name: 'items', type: ColumnType.array(ColumnType.STRING) }],
        partitionKeys: [{ name: 'dt', type: ColumnType.STRING }],
      },
      {
        name: 'features', zone: LakehouseZone.CURATED, format: TableFormat.ICEBERG,
        columns: [{ name: 'id', type: ColumnType.BIGINT }, { name: 'score', type: ColumnType.DOUBLE }],
        partitionKeys: [{ name: 'day', type: ColumnType.DATE }],
      },
    ],
  });

  test('one Glue database per zone, named project_env_name_zone, with no IAM_ALLOWED_PRINCIPALS default', () => {
    template.resourceCountIs('AWS::Glue::Database', 3);
    for (const zone of ['raw', 'curated', 'analytics']) {
      template.hasResourceProperties('AWS::Glue::Database', {
        DatabaseInput: Match.objectLike({ Name: `mlops_prod_sales_${zone}`, CreateTableDefaultPermissions: [] }),
      });
    }
    expect(lake.databaseName(LakehouseZone.CURATED)).toBe('mlops_prod_sales_curated');
  });

  test('the Data Catalog is encrypted with the lakehouse key, connection passwords too', () => {
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResourceProperties('AWS::Glue::DataCatalogEncryptionSettings', {
      DataCatalogEncryptionSettings: {
        EncryptionAtRest: { CatalogEncryptionMode: 'SSE-KMS', SseAwsKmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        ConnectionPasswordEncryption: { KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] }, ReturnConnectionPasswordEncrypted: true },
      },
    });
  });

  test('a Parquet table declares columns, partition keys and Parquet formats at its zone location', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'mlops_prod_sales_raw',
      TableInput: Match.objectLike({
        Name: 'orders',
        TableType: 'EXTERNAL_TABLE',
        PartitionKeys: [{ Name: 'dt', Type: 'string' }],
        StorageDescriptor: Match.objectLike({
          Columns: [{ Name: 'order_id', Type: 'string' }, { Name: 'amount', Type: 'decimal(12,2)' }, { Name: 'items', Type: 'array<string>' }],
          InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          SerdeInfo: Match.objectLike({ SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' }),
          Location: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('LakeRawBucket') }, '/orders/']] },
        }),
      }),
    });
  });

  test('an Iceberg table is created through OpenTableFormatInput with Iceberg types and an identity partition', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'mlops_prod_sales_curated',
      TableInput: { Name: 'features' },
      OpenTableFormatInput: { IcebergInput: Match.objectLike({
        MetadataOperation: 'CREATE',
        Version: '2',
        IcebergTableInput: Match.objectLike({
          Schema: Match.objectLike({ Fields: [
            { Id: 1, Name: 'id', Type: 'long', Required: false },
            { Id: 2, Name: 'score', Type: 'double', Required: false },
            { Id: 3, Name: 'day', Type: 'date', Required: false },
          ] }),
          PartitionSpec: { SpecId: 0, Fields: [{ Name: 'day', SourceId: 3, Transform: 'identity', FieldId: 1000 }] },
        }),
      }) },
    });
  });

  test('tables depend on their database and can be found', () => {
    const tables = template.findResources('AWS::Glue::Table');
    for (const t of Object.values(tables)) expect(t.DependsOn).toEqual([expect.stringMatching(/Lake(Raw|Curated)Database/)]);
    expect(lake.findTable(LakehouseZone.RAW, 'orders')?.format).toBe(TableFormat.PARQUET);
    expect(lake.findTable(LakehouseZone.RAW, 'features')).toBeUndefined();
  });

  test('addTable declares another table after construction', () => {
    const t = build();
    t.lake.addTable({ name: 'late', zone: LakehouseZone.ANALYTICS, columns: [{ name: 'x', type: ColumnType.INT }] });
    Template.fromStack(t.stack).hasResourceProperties('AWS::Glue::Table', { TableInput: Match.objectLike({ Name: 'late' }) });
  });
});

describe('DataLakehouse governance', () => {
  test('data lake settings append the deployment role and configured admins', () => {
    const { template } = build({ lakeFormation: { admins: ['arn:aws:iam::123456789012:role/DataSteward'] } });
    template.hasResourceProperties('AWS::LakeFormation::DataLakeSettings', {
      MutationType: 'APPEND',
      Admins: [
        { DataLakePrincipalIdentifier: 'arn:aws:iam::123456789012:role/DataSteward' },
        { DataLakePrincipalIdentifier: { 'Fn::Sub': Match.stringLikeRegexp('role/cdk-[a-z0-9]+-cfn-exec-role-123456789012-us-east-1$') } },
      ],
    });
  });

  test('settings can be left to another stack', () => {
    const { template } = build({ lakeFormation: { manageSettings: false }, manageCatalogEncryption: false });
    template.resourceCountIs('AWS::LakeFormation::DataLakeSettings', 0);
    template.resourceCountIs('AWS::Glue::DataCatalogEncryptionSettings', 0);
  });

  test('every zone location is registered with a dedicated role, not the service-linked role', () => {
    const { template } = build();
    template.resourceCountIs('AWS::LakeFormation::Resource', 3);
    template.hasResourceProperties('AWS::LakeFormation::Resource', {
      UseServiceLinkedRole: false,
      RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('LakeRegistrationRole'), 'Arn'] },
      ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('LakeRawBucket'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lakeformation.amazonaws.com' } })] },
    });
  });

  test('grantRead gives S3 read, key decrypt, Glue read and Lake Formation SELECT without wildcard actions', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Reader', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
    const { lake } = build({}, stack);
    lake.grantRead(role, LakehouseZone.CURATED);
    const t = Template.fromStack(stack);
    const policy = Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('Reader') }] } }))[0];
    const actions = (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 's3:ListBucket', 'kms:Decrypt', 'glue:GetTable', 'lakeformation:GetDataAccess']));
    expect(actions).not.toEqual(expect.arrayContaining(['s3:PutObject']));
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Principal: { DataLakePrincipalIdentifier: { 'Fn::GetAtt': [Match.stringLikeRegexp('Reader'), 'Arn'] } },
      Resource: { Table: { CatalogId: '123456789012', DatabaseName: 'mlops_prod_lake_curated', TableWildcard: {} } },
      Permissions: ['SELECT', 'DESCRIBE'],
    });
    t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Resource: { Database: { CatalogId: '123456789012', Name: 'mlops_prod_lake_curated' } },
      Permissions: ['DESCRIBE'],
    });
  });

  test('grantWrite adds object writes, key encrypt, table maintenance and data location access', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Writer', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    const { lake } = build({}, stack);
    lake.grantWrite(role, LakehouseZone.RAW);
    lake.grantWrite(LakehouseZone.RAW, role); // idempotent, and the deprecated zone-first order still works
    const t = Template.fromStack(stack);
    const policy = Object.values(t.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('Writer') }] } }))[0];
    const actions = (policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>).flatMap((s) => ([] as string[]).concat(s.Action));
    expect(actions).toEqual(expect.arrayContaining(['s3:PutObject', 'kms:GenerateDataKey', 'glue:CreateTable', 'glue:BatchCreatePartition']));
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    t.resourceCountIs('AWS::LakeFormation::PrincipalPermissions', 3);
    t.hasResourceProperties('AWS::LakeFormation::PrincipalPermissions', {
      Resource: { DataLocation: { CatalogId: '123456789012', ResourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('LakeRawBucket'), 'Arn'] } } },
      Permissions: ['DATA_LOCATION_ACCESS'],
    });
    const grants = t.findResources('AWS::LakeFormation::PrincipalPermissions');
    for (const g of Object.values(grants)) {
      expect(g.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/LakeDataLakeSettings/), expect.stringMatching(/LakeRawDatabase/)]));
    }
  });

  test('a grant to a role in another stack puts the Lake Formation permissions in that stack', () => {
    const stack = testStack();
    const other = new Stack(stack.node.scope!, 'Consumer', { env: { account: '123456789012', region: 'us-east-1' } });
    const role = new iam.Role(other, 'Job', { assumedBy: new iam.ServicePrincipal('glue.amazonaws.com') });
    const { lake } = build({}, stack);
    lake.grantRead(role, LakehouseZone.RAW);
    Template.fromStack(other).resourceCountIs('AWS::LakeFormation::PrincipalPermissions', 2);
    Template.fromStack(stack).resourceCountIs('AWS::LakeFormation::PrincipalPermissions', 0);
  });

  test('a grant to a non-role principal warns that Lake Formation permissions are not granted', () => {
    const stack = testStack();
    const user = new iam.User(stack, 'Analyst');
    const { lake } = build({}, stack);
    lake.grantRead(user, LakehouseZone.ANALYTICS);
    Annotations.fromStack(stack).hasWarning('/Test/Lake', Match.stringLikeRegexp('Lake Formation permissions on the analytics zone were not granted'));
  });
});

describe('DataLakehouse query', () => {
  test('the Athena workgroup enforces encrypted results in the analytics zone and a bytes cutoff', () => {
    const { template, lake } = build({ query: { bytesScannedCutoffPerQuery: Size.gibibytes(5) } });
    const keyId = Object.keys(template.findResources('AWS::KMS::Key'))[0];
    template.hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'mlops-prod-lake',
      RecursiveDeleteOption: false,
      WorkGroupConfiguration: {
        EnforceWorkGroupConfiguration: true,
        PublishCloudWatchMetricsEnabled: true,
        RequesterPaysEnabled: false,
        BytesScannedCutoffPerQuery: 5 * 1024 ** 3,
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', { Ref: Match.stringLikeRegexp('LakeAnalyticsBucket') }, '/athena-results/']] },
          ExpectedBucketOwner: '123456789012',
          EncryptionConfiguration: { EncryptionOption: 'SSE_KMS', KmsKey: { 'Fn::GetAtt': [keyId, 'Arn'] } },
        },
      },
    });
    expect(lake.athenaWorkGroupName).toBe('mlops-prod-lake');
  });

  test('query results expire after the profile retention', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({
        Id: 'ExpireQueryResults', Prefix: 'athena-results/', ExpirationInDays: Profiles.PROD.queryResultRetention.toDays(),
      })]) },
    });
  });

  test('grantQuery allows running queries in the workgroup and reading results', () => {
    const stack = testStack();
    const role = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    const { lake } = build({}, stack);
    lake.grantQuery(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: Match.arrayWith(['athena:GetQueryResults', 'athena:StartQueryExecution']),
        Resource: 'arn:aws:athena:us-east-1:123456789012:workgroup/mlops-prod-lake',
      })]) },
    });
  });
});

describe('DataLakehouse metrics', () => {
  const { lake, stack } = build();
  test('bucket metrics use the zone bucket and documented statistics', () => {
    const m = lake.metricBucketSizeBytes(LakehouseZone.RAW);
    expect(m.namespace).toBe('AWS/S3');
    expect(m.metricName).toBe('BucketSizeBytes');
    expect(m.statistic).toBe('Average');
    expect(m.period.toDays()).toBe(1);
    expect(stack.resolve(m.dimensions)).toEqual({ BucketName: { Ref: expect.stringMatching(/LakeRawBucket/) }, StorageType: 'StandardStorage' });
    expect(lake.metricNumberOfObjects(LakehouseZone.CURATED).metricName).toBe('NumberOfObjects');
  });

  test('request metrics match the filter configured on the buckets', () => {
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::S3::Bucket', { MetricsConfigurations: [{ Id: 'EntireBucket' }] });
    const m = lake.metric5xxErrors(LakehouseZone.ANALYTICS);
    expect(m.dimensions?.FilterId).toBe('EntireBucket');
    expect(m.statistic).toBe('Sum');
    expect(lake.metric4xxErrors(LakehouseZone.ANALYTICS).metricName).toBe('4xxErrors');
  });

  test('Athena bytes scanned is per workgroup', () => {
    const m = lake.metricQueryProcessedBytes({ period: Duration.hours(1) });
    expect(m.dimensions).toEqual({ WorkGroup: 'mlops-prod-lake' });
    expect(m.period.toHours()).toBe(1);
  });
});
