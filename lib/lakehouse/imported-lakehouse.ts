import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { DataLakehouseBase } from './data-lakehouse-base';
import { LAKEHOUSE_DEFAULTS } from './data-lakehouse-props';
import { validateTable } from './private/validate';
import { ILakehouseTable, LakehouseTableOptions, describeTable } from './table';
import { ALL_ZONES, LakehouseZone, isLakehouseZone } from './zone';

/** One zone of a lakehouse another app owns. */
export interface ImportedZoneAttributes {
  /** The zone bucket. */
  readonly bucket: s3.IBucket;
  /** The zone's Glue database name. */
  readonly databaseName: string;
}

/** The zones of an imported lakehouse; only those given exist. */
export interface ImportedZonesAttributes {
  /** @default no raw zone */
  readonly raw?: ImportedZoneAttributes;
  /** @default no curated zone */
  readonly curated?: ImportedZoneAttributes;
  /** @default no analytics zone */
  readonly analytics?: ImportedZoneAttributes;
}

/**
 * A lakehouse of another app (same account and region), for {@link DataLakehouse.fromAttributes}.
 * Nothing is created: grants go to the grantee's policies (and Lake Formation permissions in the
 * grantee's stack), metrics name the given buckets and workgroup.
 */
export interface DataLakehouseAttributes {
  /** The key that encrypts the zones (for example `kms.Key.fromKeyArn(...)`). */
  readonly encryptionKey: kms.IKey;
  /** The zones to use, at least one. */
  readonly zones: ImportedZonesAttributes;
  /** Name of the lakehouse's Athena workgroup. */
  readonly athenaWorkGroupName: string;
  /**
   * `s3://` location of Athena query results.
   * @default `s3://<analytics bucket>/athena-results/` (the lakehouse default); required without an analytics zone
   */
  readonly athenaResultsLocation?: string;
  /**
   * The bucket that receives the zones' server access logs.
   * @default unknown (`accessLogBucket` is undefined)
   */
  readonly accessLogBucket?: s3.IBucket;
  /**
   * Existing tables the importing app uses (EtlPipeline sources and targets, TrainingCluster
   * sources), described as the owning app declared them. Nothing is created in the catalog.
   * @default none
   */
  readonly tables?: LakehouseTableOptions[];
}

/** The lakehouse {@link DataLakehouse.fromAttributes} returns. */
export class ImportedDataLakehouse extends DataLakehouseBase {
  public readonly encryptionKey: kms.IKey;
  public readonly accessLogBucket?: s3.IBucket;
  public readonly athenaWorkGroupName: string;
  public readonly athenaResultsLocation: string;
  public readonly zones: readonly LakehouseZone[];
  private readonly tables = new Map<string, ILakehouseTable>();

  constructor(scope: Construct, id: string, attrs: DataLakehouseAttributes) {
    super(scope, id);
    const v = new Validator(this);
    v.check(typeof (attrs?.encryptionKey as { keyArn?: unknown })?.keyArn === 'string', 'encryptionKey', attrs?.encryptionKey,
      'must be a kms.IKey (for example kms.Key.fromKeyArn(...))');
    const zones = attrs?.zones ?? {};
    for (const key of Object.keys(zones)) {
      v.check(isLakehouseZone(key), `zones.${key}`, key, `is not a zone; allowed: ${ALL_ZONES.join(', ')}`);
    }
    const given = ALL_ZONES.filter((z) => zones[z] !== undefined);
    v.check(given.length > 0, 'zones', zones, `must give at least one zone (${ALL_ZONES.join(', ')})`);
    for (const z of given) {
      const zone = zones[z]!;
      v.check(typeof (zone.bucket as { bucketArn?: unknown })?.bucketArn === 'string', `zones.${z}.bucket`, zone.bucket,
        'must be an s3.IBucket (for example s3.Bucket.fromBucketName(...))');
      v.check(typeof zone.databaseName === 'string' && zone.databaseName.length > 0, `zones.${z}.databaseName`, zone.databaseName,
        'must be the name of the zone\'s Glue database');
    }
    v.check(typeof attrs?.athenaWorkGroupName === 'string' && attrs.athenaWorkGroupName.length > 0, 'athenaWorkGroupName',
      attrs?.athenaWorkGroupName, 'must be the name of the lakehouse\'s Athena workgroup');
    v.check(attrs?.athenaResultsLocation !== undefined || zones.analytics !== undefined, 'athenaResultsLocation', undefined,
      'is required when the analytics zone is not given');
    if (attrs?.athenaResultsLocation !== undefined) {
      v.matches(attrs.athenaResultsLocation, /^s3:\/\/[^/]+\/.*$/, 'athenaResultsLocation', 'must be an s3://bucket/prefix/ location');
    }
    const names = new Map<LakehouseZone, Set<string>>();
    for (const [i, t] of (attrs?.tables ?? []).entries()) {
      validateTable(v, t, `tables[${i}]`, names);
      v.check(!isLakehouseZone(t.zone) || zones[t.zone] !== undefined, `tables[${i}].zone`, t.zone, `must be one of the given zones (${given.join(', ')})`);
    }
    v.throwIfAny();

    this.encryptionKey = attrs.encryptionKey;
    this.accessLogBucket = attrs.accessLogBucket;
    this.athenaWorkGroupName = attrs.athenaWorkGroupName;
    this.zones = given;
    for (const z of given) this.zoneResources.set(z, { bucket: zones[z]!.bucket, databaseName: zones[z]!.databaseName });
    this.athenaResultsLocation = attrs.athenaResultsLocation
      ?? zones.analytics!.bucket.s3UrlForObject(LAKEHOUSE_DEFAULTS.resultsPrefix);
    for (const t of attrs.tables ?? []) {
      const z = this.zone(t.zone);
      this.tables.set(`${t.zone}.${t.name}`, describeTable(this, t, z.bucket, z.databaseName));
    }
  }

  public findTable(zone: LakehouseZone, name: string): ILakehouseTable | undefined {
    return this.tables.get(`${zone}.${name}`);
  }
}
