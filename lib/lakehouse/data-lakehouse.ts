import { CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lakeformation from 'aws-cdk-lib/aws-lakeformation';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Platform } from '../core/environment';
import { HARDENED_BUCKET, createAccessLogBucket, kmsEncryption, logAccessTo } from '../core/buckets';
import { Validator } from '../core/errors';
import { ReplicatedBucket, createReplicationRole, replicateBucket, validateReplication } from '../core/replication';
import { ownOrNewKey } from '../core/own-key';
import { grantWithKey } from '../core/grants';
import { acknowledgeWildcardResources } from '../core/nag';
import { dashedName, glueName } from '../core/naming';
import { applyRemovalPolicy, resolveRemovalPolicy } from '../core/removal';
import { DataLakehouseBase, IDataLakehouse, REQUEST_METRICS_FILTER } from './data-lakehouse-base';
import { DataLakehouseAttributes, ImportedDataLakehouse } from './imported-lakehouse';
import { DataLakehouseProps, LAKEHOUSE_DEFAULTS, ObjectLockMode, ZoneOptions } from './data-lakehouse-props';
import * as perms from './perms';
import { deploymentRoleArn, renderDataLakeSettings } from './private/governance';
import { claimAccountSingleton } from './private/singletons';
import { renderLifecycleRules, resolveLifecycle } from './private/lifecycle';
import { validateLakehouseProps, validateLifecycle, validateTable } from './private/validate';
import { LakehouseTable, LakehouseTableOptions } from './table';
import { ALL_ZONES, LakehouseZone, zoneId } from './zone';

export { DataLakehouseBase } from './data-lakehouse-base';
export type { IDataLakehouse, LakehouseZoneResources } from './data-lakehouse-base';

/** What constructs over a lakehouse add to its key policy; named in the warning on an imported key. */
const LAKEHOUSE_KEY_POLICY_NEEDS = [
  'logs.<region>.amazonaws.com may use the key for log groups of this account (EtlPipeline, TrainingCluster logs)',
  'events.amazonaws.com may kms:Decrypt and kms:GenerateDataKey with aws:SourceAccount = this account (alert topics)',
  'the account root principal (IAM policies decide who else may use the key)',
];

/**
 * A governed, encrypted S3 lakehouse: raw, curated and analytics zones, a Glue database per zone,
 * Lake Formation registration and grants, and an Athena workgroup with enforced, encrypted results.
 *
 * Everything stateful (buckets, key, databases, tables) retains on delete and replacement unless
 * the dev profile and the `mlops:allowDestroy` context flag both allow destruction.
 *
 * @example
 * // given: stack: Stack; trainingRole: iam.IRole
 * const lake = new DataLakehouse(stack, 'Lakehouse', {
 *   tables: [{ name: 'events', zone: LakehouseZone.CURATED, columns: [{ name: 'id', type: ColumnType.STRING }] }],
 * });
 * lake.grantRead(trainingRole, LakehouseZone.CURATED);
 */
export class DataLakehouse extends DataLakehouseBase {
  /**
   * A lakehouse another app owns (same account and region), for a second app whose EtlPipeline,
   * TrainingCluster or MonitoringStack works on it. Nothing is created; see {@link DataLakehouseAttributes}.
   *
   * @example
   * // given: stack: Stack
   * const lake = DataLakehouse.fromAttributes(stack, 'Lake', {
   *   encryptionKey: kms.Key.fromKeyArn(stack, 'LakeKey', 'arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
   *   zones: { curated: { bucket: s3.Bucket.fromBucketName(stack, 'Curated', 'acme-curated'), databaseName: 'acme_prod_lake_curated' } },
   *   athenaWorkGroupName: 'acme-prod-lake',
   *   athenaResultsLocation: 's3://acme-analytics/athena-results/',
   * });
   */
  public static fromAttributes(scope: Construct, id: string, attrs: DataLakehouseAttributes): IDataLakehouse {
    return new ImportedDataLakehouse(scope, id, attrs);
  }

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
  /** The zone buckets replicated to the DR Region (empty without `replication`). */
  public readonly replicatedBuckets: readonly ReplicatedBucket[];
  /** What each replicated zone holds (`<name>-<zone>`), for `ReplicationDestinations` (empty without `replication`). */
  public readonly replicationPurposes: readonly string[];

  private readonly tables = new Map<string, LakehouseTable>();
  private readonly tableNames = new Map<LakehouseZone, Set<string>>();
  private readonly tablesScope: Construct;

  constructor(scope: Construct, id: string, props: DataLakehouseProps = {}) {
    super(scope, id);
    const profile = Platform.of(this).profile;
    const v = new Validator(this);
    validateLakehouseProps(v, props);
    const lifecycles = new Map(ALL_ZONES.map((z) => [z, resolveLifecycle(z, props.zones?.[z]?.lifecycle, profile)]));
    for (const [z, l] of lifecycles) validateLifecycle(v, z, l);
    for (const [i, t] of (props.tables ?? []).entries()) validateTable(v, t, `tables[${i}]`, this.tableNames);
    validateReplication(v, this, props.replication, 'replication');
    if (props.replication) {
      for (const z of ALL_ZONES) {
        const o = props.zones?.[z];
        v.check(o?.versioned !== false, `zones.${z}.versioned`, false, 'must be true when replication is on (S3 replicates only versioned buckets)');
        v.check(o?.objectLock === undefined, `zones.${z}.objectLock`, 'set', 'is not supported with replication (the DR bucket would need Object Lock as well)');
        v.check(o?.bucket === undefined, `zones.${z}.bucket`, 'an existing bucket', 'is not supported with replication: the lakehouse cannot change the replication configuration of a bucket it does not own (replicate it where it is defined)');
      }
    }
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
    const replicated: ReplicatedBucket[] = [];
    if (props.replication) {
      const role = createReplicationRole(this, 'ReplicationRole');
      for (const [zone, z] of this.zoneResources) {
        // Validated above: with replication every zone bucket is one this lakehouse created.
        replicated.push(replicateBucket(this, z.bucket as s3.Bucket, key, role, `${name.replace(/_/g, '-')}-${zone}`, props.replication));
      }
    }
    this.replicatedBuckets = replicated;
    this.replicationPurposes = replicated.map((r) => r.purpose);
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
}
