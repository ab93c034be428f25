import { Annotations, CfnResource, Duration, Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { Validator } from '../core/errors';
import { grantWithKey } from '../core/grants';
import { acknowledgeWildcardResources } from '../core/nag';
import * as perms from './perms';
import { renderLakeFormationGrant } from './private/governance';
import { ILakehouseTable } from './table';
import { LakehouseZone, zoneId } from './zone';

/** A lakehouse as other constructs see it: zone buckets, the key, the catalog, grants and metrics. */
export interface IDataLakehouse extends IConstruct {
  /** The customer-managed key that encrypts every zone, the catalog and query results. */
  readonly encryptionKey: kms.IKey;
  /** Bucket that receives the zones' S3 server access logs (undefined when imported without it). */
  readonly accessLogBucket?: s3.IBucket;
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
  /** A declared (or, for an imported lakehouse, described) table, or undefined. */
  findTable(zone: LakehouseZone, name: string): ILakehouseTable | undefined;
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

/** Request-metrics filter id configured on every zone bucket the lakehouse creates. */
export const REQUEST_METRICS_FILTER = 'EntireBucket';

/** One zone's resources, created or imported. */
export interface LakehouseZoneResources {
  /** The zone bucket. */
  readonly bucket: s3.IBucket;
  /** The zone's Glue database name. */
  readonly databaseName: string;
  /** The database resource, when this app creates it (grants and tables depend on it). */
  readonly database?: CfnResource;
  /** The Lake Formation registration of the bucket, when this app creates it. */
  readonly location?: CfnResource;
}

/**
 * What every lakehouse shares, whether this app creates it ({@link DataLakehouse}) or imports one
 * of another app ({@link DataLakehouse.fromAttributes}): zone lookups, grants and metrics.
 */
export abstract class DataLakehouseBase extends Construct implements IDataLakehouse {
  public abstract readonly encryptionKey: kms.IKey;
  public abstract readonly accessLogBucket?: s3.IBucket;
  public abstract readonly athenaWorkGroupName: string;
  public abstract readonly athenaResultsLocation: string;
  public abstract readonly zones: readonly LakehouseZone[];

  /** The resources of each zone, filled by the subclass's constructor. */
  protected readonly zoneResources = new Map<LakehouseZone, LakehouseZoneResources>();
  /** The account's data lake settings, when this app manages them (Lake Formation grants depend on them). */
  protected settings?: CfnResource;

  public abstract findTable(zone: LakehouseZone, name: string): ILakehouseTable | undefined;

  public hasZone(zone: string): boolean {
    return (this.zones as readonly string[]).includes(zone);
  }

  public zoneBucket(zone: LakehouseZone): s3.IBucket {
    return this.zone(zone).bucket;
  }

  public databaseName(zone: LakehouseZone): string {
    return this.zone(zone).databaseName;
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

  protected zone(zone: LakehouseZone): LakehouseZoneResources {
    const z = this.zoneResources.get(zone);
    if (!z) {
      const v = new Validator(this);
      v.fail('zone', zone, `is not a zone of this lakehouse; allowed: ${this.zones.join(', ')}`);
      v.throwIfAny();
    }
    return z!;
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

  private grantLakeFormation(zone: LakehouseZone, z: LakehouseZoneResources, grantee: iam.IGrantable, write: boolean): void {
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
