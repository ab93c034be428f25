import { Annotations, CfnResource, Duration, Names, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { Platform } from '../core/environment';
import { HARDENED_BUCKET, createAccessLogBucket, kmsEncryption, logAccessTo } from '../core/buckets';
import { Validator } from '../core/errors';
import { ownOrNewKey } from '../core/own-key';
import { grantWithKey } from '../core/grants';
import { acknowledgeWildcardResources } from '../core/nag';
import { dashedName, glueName } from '../core/naming';
import { applyRemovalPolicy, resolveRemovalPolicy } from '../core/removal';
import { DataLakehouseProps, LAKEHOUSE_DEFAULTS, ObjectLockMode, ZoneOptions } from './data-lakehouse-props';
import * as perms from './perms';
import { deploymentRoleArn, renderDataLakeSettings, renderLakeFormationGrant } from './private/governance';
import { claimAccountSingleton } from './private/singletons';
import { renderLifecycleRules, resolveLifecycle } from './private/lifecycle';
import { validateLakehouseProps, validateLifecycle, validateTable } from './private/validate';
import { LakehouseTable, LakehouseTableOptions } from './table';
import { ALL_ZONES, LakehouseZone, zoneId } from './zone';

/** A lakehouse as other constructs see it: zone buckets, the key, the catalog, grants and metrics. */
export interface IDataLakehouse extends IConstruct {
  /** The customer-managed key that encrypts every zone, the catalog and query results. */
  readonly encryptionKey: kms.IKey;
  /** Bucket that receives the zones' S3 server access logs. */
  readonly accessLogBucket: s3.IBucket;
  /** Name of the Athena workgroup. */
  readonly athenaWorkGroupName: string;
  /** `s3://` location of Athena query results. */
  readonly athenaResultsLocation: string;
  /** The zones this lakehouse has. */
  readonly zones: readonly LakehouseZone[];
  /** True when the lakehouse has a zone of that name (for input from configuration). */
  hasZone(zone: string): boolean;
  /** The bucket of a zone. */
  zoneBucket(zone: LakehouseZone): s3.IBucket;
  /** The Glue database name of a zone. */
  databaseName(zone: LakehouseZone): string;
  /** A declared table, or undefined. */
  findTable(zone: LakehouseZone, name: string): LakehouseTable | undefined;
  /**
   * Grants read access to a zone: S3 objects, the key, the zone's catalog database and tables,
   * and (for IAM roles) the matching Lake Formation permissions.
   */
  grantRead(grantee: iam.IGrantable, zone: LakehouseZone): iam.Grant;
  /** @deprecated The zone-first order of 0.x previews; use `grantRead(grantee, zone)` (aws-cdk-lib's grantee-first order). */
  grantRead(zone: LakehouseZone, grantee: iam.IGrantable): iam.Grant;
  /** Grants read and write access to a zone, including creating tables and partitions. */
  grantWrite(grantee: iam.IGrantable, zone: LakehouseZone): iam.Grant;
  /** @deprecated The zone-first order of 0.x previews; use `grantWrite(grantee, zone)` (aws-cdk-lib's grantee-first order). */
  grantWrite(zone: LakehouseZone, grantee: iam.IGrantable): iam.Grant;
  /** Grants running queries in the Athena workgroup and reading their results. */
  grantQuery(grantee: iam.IGrantable): iam.Grant;
  /** Bytes stored in a zone (AWS/S3 BucketSizeBytes, Standard storage; Average over 1 day). */
  metricBucketSizeBytes(zone: LakehouseZone, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Objects stored in a zone (AWS/S3 NumberOfObjects; Average over 1 day). */
  metricNumberOfObjects(zone: LakehouseZone, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Client errors on a zone (AWS/S3 request metric 4xxErrors; Sum over 5 minutes). */
  metric4xxErrors(zone: LakehouseZone, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Server errors on a zone (AWS/S3 request metric 5xxErrors; Sum over 5 minutes). */
  metric5xxErrors(zone: LakehouseZone, props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Bytes scanned by queries in the workgroup (AWS/Athena ProcessedBytes; Sum over 5 minutes). */
  metricQueryProcessedBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** What constructs over a lakehouse add to its key policy; named in the warning on an imported key. */
const LAKEHOUSE_KEY_POLICY_NEEDS = [
  'logs.<region>.amazonaws.com may use the key for log groups of this account (EtlPipeline, TrainingCluster logs)',
  'events.amazonaws.com may kms:Decrypt and kms:GenerateDataKey with aws:SourceAccount = this account (alert topics)',
  'the account root principal (IAM policies decide who else may use the key)',
];

/** Request-metrics filter id configured on every zone bucket. */
const REQUEST_METRICS_FILTER = 'EntireBucket';

interface Zone {
  readonly bucket: s3.IBucket;
  /** Undefined for an existing database (`existingDatabaseName`). */
  readonly database?: glue.CfnDatabase;
  readonly databaseName: string;
  readonly location?: CfnResource;
}

/**
 * A governed, encrypted S3 lakehouse: raw, curated and analytics zones, a Glue database per zone,
 * Lake Formation registration and grants, and an Athena workgroup with enforced, encrypted results.
 *
 * Everything stateful (buckets, key, databases, tables) retains on delete and replacement unless
 * the dev profile and the `mlops:allowDestroy` context flag both allow destruction.
 *
 * @example
 * const lake = new DataLakehouse(stack, 'Lakehouse', {
 *   tables: [{ name: 'events', zone: LakehouseZone.CURATED, columns: [{ name: 'id', type: ColumnType.STRING }] }],
 * });
 * lake.grantRead(trainingRole, LakehouseZone.CURATED);
 */
export class DataLakehouse extends Construct implements IDataLakehouse {
  public readonly encryptionKey: kms.IKey;
  public readonly accessLogBucket: s3.IBucket;
  public readonly athenaWorkGroupName: string;
  public readonly athenaResultsLocation: string;
  public readonly zones: readonly LakehouseZone[] = ALL_ZONES;
  /** The Athena workgroup. */
  public readonly workGroup: athena.CfnWorkGroup;
  /** The role Lake Formation assumes to access registered zone locations. */
  public readonly registrationRole: iam.IRole;
  /** The removal policy applied to stateful resources, after the guard. */
  public readonly removalPolicy: RemovalPolicy;

  private readonly zoneResources = new Map<LakehouseZone, Zone>();
  private readonly tables = new Map<string, LakehouseTable>();
  private readonly tableNames = new Map<LakehouseZone, Set<string>>();
  private readonly settings?: lakeformation.CfnDataLakeSettings;
  private readonly tablesScope: Construct;

  constructor(scope: Construct, id: string, props: DataLakehouseProps = {}) {
    super(scope, id);
    const profile = Platform.of(this).profile;
    const v = new Validator(this);
    validateLakehouseProps(v, props);
    const lifecycles = new Map(ALL_ZONES.map((z) => [z, resolveLifecycle(z, props.zones?.[z]?.lifecycle, profile)]));
    for (const [z, l] of lifecycles) validateLifecycle(v, z, l);
    for (const [i, t] of (props.tables ?? []).entries()) validateTable(v, t, `tables[${i}]`, this.tableNames);
    v.throwIfAny();

    const name = props.name ?? LAKEHOUSE_DEFAULTS.name;
    this.removalPolicy = resolveRemovalPolicy(this, props.removalPolicy, profile);
    const key = ownOrNewKey(this, 'Key', props.encryptionKey, {
      description: `Lakehouse ${this.node.path}: zones, catalog and query results`,
      removalPolicy: this.removalPolicy,
      keyPolicyStatements: LAKEHOUSE_KEY_POLICY_NEEDS,
    });
    this.encryptionKey = key;

    const logs = createAccessLogBucket(this, 'AccessLogBucket', {
      removalPolicy: this.removalPolicy,
      retention: profile.accessLogRetention,
      abortIncompleteMultipartUploadAfter: LAKEHOUSE_DEFAULTS.abortIncompleteMultipartUploadAfter,
    });
    this.accessLogBucket = logs;

    const manageSettings = props.lakeFormation?.manageSettings ?? LAKEHOUSE_DEFAULTS.manageLakeFormationSettings;
    if (manageSettings) {
      const admins = [...(props.lakeFormation?.admins ?? [])];
      const deployRole = (props.lakeFormation?.adminDeploymentRole ?? LAKEHOUSE_DEFAULTS.adminDeploymentRole) ? deploymentRoleArn(this) : undefined;
      if (deployRole) admins.push(deployRole);
      claimAccountSingleton(this, 'Lake Formation data lake settings');
      this.settings = renderDataLakeSettings(this, 'DataLakeSettings', admins);
    }

    this.registrationRole = new iam.Role(this, 'RegistrationRole', {
      assumedBy: new iam.ServicePrincipal('lakeformation.amazonaws.com'),
      description: 'Lake Formation access to the registered lakehouse zone locations',
    });

    const resultsPrefix = props.query?.resultsPrefix ?? LAKEHOUSE_DEFAULTS.resultsPrefix;
    for (const zone of ALL_ZONES) {
      const options: ZoneOptions = props.zones?.[zone] ?? {};
      const versioned = options.versioned ?? LAKEHOUSE_DEFAULTS.versioned;
      const rules = renderLifecycleRules(lifecycles.get(zone)!, versioned);
      if (zone === LakehouseZone.ANALYTICS) {
        rules.push({
          id: 'ExpireQueryResults',
          prefix: resultsPrefix,
          expiration: props.query?.resultRetention ?? profile.queryResultRetention,
          noncurrentVersionExpiration: versioned ? Duration.days(1) : undefined,
        });
      }
      const existingBucket = options.bucket;
      const bucket: s3.IBucket = existingBucket ?? new s3.Bucket(this, `${zoneId(zone)}Bucket`, {
        ...HARDENED_BUCKET,
        ...kmsEncryption(key),
        bucketName: options.bucketName,
        versioned,
        lifecycleRules: rules,
        metrics: [{ id: REQUEST_METRICS_FILTER }],
        objectLockEnabled: options.objectLock ? true : undefined,
        objectLockDefaultRetention: options.objectLock
          ? (options.objectLock.mode === ObjectLockMode.COMPLIANCE
            ? s3.ObjectLockRetention.compliance(options.objectLock.retention)
            : s3.ObjectLockRetention.governance(options.objectLock.retention))
          : undefined,
        removalPolicy: this.removalPolicy,
      });
      if (!existingBucket) logAccessTo(this, bucket as s3.Bucket, logs, `${zone}/`, `ServerAccessLogs${zoneId(zone)}`);
      if (!existingBucket && (props.eventBridgeEnabled ?? LAKEHOUSE_DEFAULTS.eventBridgeEnabled)) {
        // Set on the L1 directly: the L2 flag deploys a notification custom resource (a Lambda) for the same effect.
        (bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
      }

      const databaseName = options.existingDatabaseName ?? options.databaseName ?? glueName(this, name, zone);
      const database = options.existingDatabaseName !== undefined ? undefined : new glue.CfnDatabase(this, `${zoneId(zone)}Database`, {
        catalogId: Stack.of(this).account,
        databaseInput: {
          name: databaseName,
          description: `${zone} zone of lakehouse ${this.node.path}`,
          locationUri: bucket.s3UrlForObject(),
          // Lake Formation, not IAM_ALLOWED_PRINCIPALS, decides who may use new tables.
          createTableDefaultPermissions: [],
        },
      });
      if (database) applyRemovalPolicy(database, this.removalPolicy);
      if (database && this.settings) database.addResourceDependency(this.settings);

      grantWithKey(this.registrationRole, {
        actions: [...perms.S3_BUCKET_READ, ...perms.S3_BUCKET_WRITE, ...perms.S3_OBJECT_READ, ...perms.S3_OBJECT_WRITE],
        resourceArns: [bucket.bucketArn, bucket.arnForObjects('*')],
        key,
        keyActions: perms.KMS_WRITE,
      });
      const location = new lakeformation.CfnResource(this, `${zoneId(zone)}Location`, {
        resourceArn: bucket.bucketArn,
        useServiceLinkedRole: false,
        roleArn: this.registrationRole.roleArn,
      });
      if (this.settings) location.addResourceDependency(this.settings);
      this.zoneResources.set(zone, { bucket, database, databaseName, location });
    }
    acknowledgeWildcardResources(this.registrationRole, [...this.zoneResources.values()].map((z) => z.bucket.arnForObjects('*')),
      'Lake Formation vends credentials for any object of a registered zone location; the role is scoped to the zone buckets.');
    const regPolicy = this.registrationRole.node.tryFindChild('DefaultPolicy')?.node.defaultChild as CfnResource | undefined;
    for (const z of this.zoneResources.values()) if (regPolicy) z.location!.addResourceDependency(regPolicy);

    if (props.manageCatalogEncryption ?? LAKEHOUSE_DEFAULTS.manageCatalogEncryption) {
      claimAccountSingleton(this, 'Glue Data Catalog encryption settings');
      new glue.CfnDataCatalogEncryptionSettings(this, 'CatalogEncryption', {
        catalogId: Stack.of(this).account,
        dataCatalogEncryptionSettings: {
          encryptionAtRest: { catalogEncryptionMode: 'SSE-KMS', sseAwsKmsKeyId: key.keyArn },
          connectionPasswordEncryption: { kmsKeyId: key.keyArn, returnConnectionPasswordEncrypted: true },
        },
      });
    }

    const analytics = this.zoneResources.get(LakehouseZone.ANALYTICS)!.bucket;
    this.athenaResultsLocation = analytics.s3UrlForObject(resultsPrefix);
    this.athenaWorkGroupName = dashedName(this, 128, name);
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: this.athenaWorkGroupName,
      description: `Queries over lakehouse ${this.node.path}`,
      state: 'ENABLED',
      recursiveDeleteOption: false,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        bytesScannedCutoffPerQuery: (props.query?.bytesScannedCutoffPerQuery ?? profile.athenaBytesScannedCutoff).toBytes(),
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        resultConfiguration: {
          outputLocation: this.athenaResultsLocation,
          expectedBucketOwner: Stack.of(this).account,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: key.keyArn },
        },
      },
    });

    this.tablesScope = new Construct(this, 'Tables');
    for (const t of props.tables ?? []) this.renderTable(t);
  }

  public hasZone(zone: string): boolean {
    return (this.zones as readonly string[]).includes(zone);
  }

  public zoneBucket(zone: LakehouseZone): s3.IBucket {
    return this.zone(zone).bucket;
  }

  public databaseName(zone: LakehouseZone): string {
    return this.zone(zone).databaseName;
  }

  public findTable(zone: LakehouseZone, name: string): LakehouseTable | undefined {
    return this.tables.get(`${zone}.${name}`);
  }

  /** Declares another table; validated like the `tables` prop. */
  public addTable(options: LakehouseTableOptions): LakehouseTable {
    const v = new Validator(this);
    validateTable(v, options, `addTable(${options.name})`, this.tableNames);
    v.throwIfAny();
    return this.renderTable(options);
  }

  public grantRead(grantee: iam.IGrantable, zone: LakehouseZone): iam.Grant;
  /** @deprecated use `grantRead(grantee, zone)` */
  public grantRead(zone: LakehouseZone, grantee: iam.IGrantable): iam.Grant;
  public grantRead(a: iam.IGrantable | LakehouseZone, b: iam.IGrantable | LakehouseZone): iam.Grant {
    const [grantee, zone] = granteeFirst(a, b);
    return this.grantZone(zone, grantee, false);
  }

  public grantWrite(grantee: iam.IGrantable, zone: LakehouseZone): iam.Grant;
  /** @deprecated use `grantWrite(grantee, zone)` */
  public grantWrite(zone: LakehouseZone, grantee: iam.IGrantable): iam.Grant;
  public grantWrite(a: iam.IGrantable | LakehouseZone, b: iam.IGrantable | LakehouseZone): iam.Grant {
    const [grantee, zone] = granteeFirst(a, b);
    return this.grantZone(zone, grantee, true);
  }

  public grantQuery(grantee: iam.IGrantable): iam.Grant {
    const workGroupArn = Stack.of(this).formatArn({ service: 'athena', resource: 'workgroup', resourceName: this.athenaWorkGroupName });
    const analytics = this.zone(LakehouseZone.ANALYTICS).bucket;
    const prefix = this.athenaResultsLocation.replace(/^s3:\/\/[^/]+\//, '');
    acknowledgeForGrantee(grantee, analytics.arnForObjects(`${prefix}*`), 'Query results: Athena writes one object per query under the results prefix.');
    return grantWithKey(grantee, {
      actions: ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:GetQueryResults', 'athena:StopQueryExecution', 'athena:GetWorkGroup'],
      resourceArns: [workGroupArn],
    }).combine(grantWithKey(grantee, {
      actions: [...perms.S3_BUCKET_READ, ...perms.S3_BUCKET_WRITE, ...perms.S3_OBJECT_READ, ...perms.S3_OBJECT_WRITE],
      resourceArns: [analytics.bucketArn, analytics.arnForObjects(`${prefix}*`)],
      key: this.encryptionKey,
      keyActions: perms.KMS_WRITE,
    }));
  }

  public metricBucketSizeBytes(zone: LakehouseZone, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.s3Metric(zone, 'BucketSizeBytes', { StorageType: 'StandardStorage' }, 'Average', Duration.days(1), props);
  }

  public metricNumberOfObjects(zone: LakehouseZone, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.s3Metric(zone, 'NumberOfObjects', { StorageType: 'AllStorageTypes' }, 'Average', Duration.days(1), props);
  }

  public metric4xxErrors(zone: LakehouseZone, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.s3Metric(zone, '4xxErrors', { FilterId: REQUEST_METRICS_FILTER }, 'Sum', Duration.minutes(5), props);
  }

  public metric5xxErrors(zone: LakehouseZone, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.s3Metric(zone, '5xxErrors', { FilterId: REQUEST_METRICS_FILTER }, 'Sum', Duration.minutes(5), props);
  }

  public metricQueryProcessedBytes(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Athena',
      metricName: 'ProcessedBytes',
      dimensionsMap: { WorkGroup: this.athenaWorkGroupName },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  private s3Metric(zone: LakehouseZone, metricName: string, dims: Record<string, string>, statistic: string, period: Duration,
    props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/S3',
      metricName,
      dimensionsMap: { BucketName: this.zoneBucket(zone).bucketName, ...dims },
      statistic,
      period,
      ...props,
    });
  }

  private zone(zone: LakehouseZone): Zone {
    const z = this.zoneResources.get(zone);
    if (!z) {
      const v = new Validator(this);
      v.fail('zone', zone, `is not a zone of this lakehouse; allowed: ${this.zones.join(', ')}`);
      v.throwIfAny();
    }
    return z!;
  }

  private renderTable(options: LakehouseTableOptions): LakehouseTable {
    const z = this.zone(options.zone);
    const table = new LakehouseTable(this.tablesScope, `${options.zone}.${options.name}`, {
      ...options,
      bucket: z.bucket,
      databaseName: z.databaseName,
      removalPolicy: this.removalPolicy,
    });
    if (z.database) table.resource.addResourceDependency(z.database);
    this.tables.set(`${options.zone}.${options.name}`, table);
    return table;
  }

  private grantZone(zone: LakehouseZone, grantee: iam.IGrantable, write: boolean): iam.Grant {
    const z = this.zone(zone);
    const stack = Stack.of(this);
    const catalogArn = stack.formatArn({ service: 'glue', resource: 'catalog' });
    const databaseArn = stack.formatArn({ service: 'glue', resource: 'database', resourceName: z.databaseName });
    const tablesArn = stack.formatArn({ service: 'glue', resource: 'table', resourceName: `${z.databaseName}/*` });
    const grant = grantWithKey(grantee, {
      actions: [...perms.S3_BUCKET_READ, ...perms.S3_OBJECT_READ, ...(write ? [...perms.S3_BUCKET_WRITE, ...perms.S3_OBJECT_WRITE] : [])],
      resourceArns: [z.bucket.bucketArn, z.bucket.arnForObjects('*')],
      key: this.encryptionKey,
      keyActions: write ? perms.KMS_WRITE : perms.KMS_READ,
    })
      .combine(grantWithKey(grantee, {
        actions: [...perms.GLUE_READ, ...(write ? perms.GLUE_WRITE : [])],
        resourceArns: [catalogArn, databaseArn, tablesArn],
      }))
      // GetDataAccess has no resource-level permissions; Lake Formation scopes what it vends.
      .combine(grantWithKey(grantee, { actions: perms.LAKEFORMATION_ACCESS, resourceArns: ['*'] }));
    acknowledgeForGrantee(grantee, z.bucket.arnForObjects('*'),
      `Zone-level access: the grantee reads${write ? ' and writes' : ''} any object of the ${zone} zone by design.`);
    acknowledgeForGrantee(grantee, tablesArn,
      `Catalog access to every table of the ${zone} zone database; Lake Formation permissions narrow it further.`);
    acknowledgeForGrantee(grantee, '*',
      'lakeformation:GetDataAccess supports no resource-level permissions; Lake Formation decides what it vends.');
    this.grantLakeFormation(zone, z, grantee, write);
    return grant;
  }

  private grantLakeFormation(zone: LakehouseZone, z: Zone, grantee: iam.IGrantable, write: boolean): void {
    const principal = grantee.grantPrincipal;
    if (!isRole(principal)) {
      Annotations.of(this).addWarningV2('mlops:lakeFormationGrantSkipped',
        `Lake Formation permissions on the ${zone} zone were not granted to a principal that is not an IAM role; grant them separately.`);
      return;
    }
    const sameStack = Stack.of(principal) === Stack.of(this);
    const host: Construct = sameStack ? this : principal;
    const id = `LakeFormation${write ? 'Write' : 'Read'}${zoneId(zone)}${Names.uniqueId(sameStack ? principal : this)}`;
    if (host.node.tryFindChild(id)) return;
    const dependsOn: CfnResource[] = z.database ? [z.database] : [];
    if (this.settings) dependsOn.push(this.settings);
    if (write && z.location) dependsOn.push(z.location);
    renderLakeFormationGrant(new Construct(host, id), {
      principalArn: principal.roleArn,
      databaseName: z.databaseName,
      databasePermissions: write ? perms.LF_DATABASE_WRITE : perms.LF_DATABASE_READ,
      tablePermissions: write ? perms.LF_TABLE_WRITE : perms.LF_TABLE_READ,
      location: write ? { arn: z.bucket.bucketArn, permissions: perms.LF_LOCATION_WRITE } : undefined,
      dependsOn,
    });
  }
}

/** Acknowledges, on the grantee, the cdk-nag wildcard-resource finding a lakehouse grant creates. */
function acknowledgeForGrantee(grantee: iam.IGrantable, arn: string, reason: string): void {
  const principal = grantee.grantPrincipal;
  if (isConstruct(principal)) acknowledgeWildcardResources(principal, [arn], reason);
}

function isConstruct(p: unknown): p is IConstruct {
  return typeof p === 'object' && p !== null && 'node' in p;
}

function isRole(p: iam.IPrincipal): p is iam.IRole {
  return 'roleArn' in p && 'roleName' in p && typeof (p as iam.IRole).node === 'object';
}

/** The grantee and the zone of a grant call, in either order (zones are strings, grantees objects). */
function granteeFirst(a: iam.IGrantable | LakehouseZone, b: iam.IGrantable | LakehouseZone): [iam.IGrantable, LakehouseZone] {
  return typeof a === 'string' ? [b as iam.IGrantable, a] : [a, b as LakehouseZone];
}
