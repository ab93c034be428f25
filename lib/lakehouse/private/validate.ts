import { Duration, Size, Token } from 'aws-cdk-lib';
import { Validator } from '../../core/errors';
import { GLUE_NAME, bucketNameProblem } from '../../core/naming';
import { ColumnType } from '../column-type';
import { DataLakehouseProps, ZoneOptions } from '../data-lakehouse-props';
import { Column, LakehouseTableOptions, PROJECTION_DEFAULTS, ProjectionIntervalUnit, TableFormat } from '../table';
import { ALL_ZONES, LakehouseZone, isLakehouseZone } from '../zone';
import { ResolvedLifecycle } from './lifecycle';

const LAKEHOUSE_NAME = /^[a-z][a-z0-9_]{0,31}$/;
const PREFIX = /^(?:[a-zA-Z0-9!_.*'()-]+\/)+$/;
const GLUE_ALLOWED = 'must be 1-255 lowercase letters, digits or underscores, starting with a letter or underscore';
const MIN_CUTOFF = Size.mebibytes(10);
const MAX_LOCK_DAYS = 36500;
const MAX_COLUMNS = 1000;

function days(d: Duration | undefined): number | undefined {
  return d === undefined || d.isUnresolved() ? undefined : d.toDays({ integral: false });
}

/** Checks that a duration is a positive whole number of days. */
function wholeDays(v: Validator, d: Duration | undefined, property: string): void {
  const n = days(d);
  if (n === undefined) return;
  v.check(Number.isInteger(n) && n >= 1, property, d, 'must be a whole number of days, at least 1 day');
}

/** Validates everything in the props that does not depend on other constructs. */
export function validateLakehouseProps(v: Validator, props: DataLakehouseProps): void {
  v.matches(props.name, LAKEHOUSE_NAME, 'name', 'must be 1-32 lowercase letters, digits or underscores, starting with a letter');
  const zones = props.zones ?? {};
  for (const key of Object.keys(zones)) {
    v.check(isLakehouseZone(key), `zones.${key}`, key, `is not a zone; allowed: ${ALL_ZONES.join(', ')}`);
  }
  const bucketNames = new Map<string, string>();
  const databaseNames = new Map<string, string>();
  validateOwnKey(v, props);
  const ownBuckets = new Map<unknown, string>();
  for (const zone of ALL_ZONES) {
    const z: ZoneOptions = zones[zone] ?? {};
    const path = `zones.${zone}`;
    validateOwnZone(v, z, path, props, ownBuckets);
    if (z.bucketName !== undefined && !Token.isUnresolved(z.bucketName)) {
      const problem = bucketNameProblem(z.bucketName);
      v.check(problem === undefined, `${path}.bucketName`, z.bucketName, problem ?? '');
      const other = bucketNames.get(z.bucketName);
      v.check(other === undefined, `${path}.bucketName`, z.bucketName, `must differ from ${other}.bucketName`);
      bucketNames.set(z.bucketName, path);
    }
    if (z.databaseName !== undefined && !Token.isUnresolved(z.databaseName)) {
      v.matches(z.databaseName, GLUE_NAME, `${path}.databaseName`, GLUE_ALLOWED);
      const other = databaseNames.get(z.databaseName);
      v.check(other === undefined, `${path}.databaseName`, z.databaseName, `must differ from ${other}.databaseName`);
      databaseNames.set(z.databaseName, path);
    }
    if (z.objectLock) {
      v.check(zone === LakehouseZone.RAW, `${path}.objectLock`, z.objectLock.mode, 'is only supported on the raw zone');
      v.check(z.versioned !== false, `${path}.versioned`, z.versioned, 'must be true when objectLock is set (Object Lock requires versioning)');
      const n = days(z.objectLock.retention);
      if (n !== undefined) {
        v.check(Number.isInteger(n) && n >= 1 && n <= MAX_LOCK_DAYS, `${path}.objectLock.retention`, z.objectLock.retention,
          `must be a whole number of days between 1 and ${MAX_LOCK_DAYS}`);
      }
    }
  }
  const q = props.query ?? {};
  if (q.bytesScannedCutoffPerQuery && !q.bytesScannedCutoffPerQuery.isUnresolved()) {
    v.check(q.bytesScannedCutoffPerQuery.toBytes() >= MIN_CUTOFF.toBytes(), 'query.bytesScannedCutoffPerQuery',
      q.bytesScannedCutoffPerQuery, `must be at least ${MIN_CUTOFF.toBytes()} bytes (10 MiB)`);
  }
  v.matches(q.resultsPrefix, PREFIX, 'query.resultsPrefix', 'must be a non-empty S3 key prefix ending with "/" (no leading "/")');
  wholeDays(v, q.resultRetention, 'query.resultRetention');
  for (const [i, admin] of (props.lakeFormation?.admins ?? []).entries()) {
    if (Token.isUnresolved(admin)) continue;
    v.matches(admin, /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/, `lakeFormation.admins[${i}]`,
      'must be the ARN of an IAM role or user');
  }
}

/** `encryptionKey` must be a KMS key object (input from JavaScript or configuration may not be). */
function validateOwnKey(v: Validator, props: DataLakehouseProps): void {
  if (props.encryptionKey === undefined) return;
  v.check(typeof (props.encryptionKey as { keyArn?: unknown })?.keyArn === 'string', 'encryptionKey', props.encryptionKey,
    'must be a kms.IKey (for example kms.Key.fromKeyArn(...))');
}

/** Options that an existing bucket or database makes meaningless are errors, not silently ignored. */
function validateOwnZone(v: Validator, z: ZoneOptions, path: string, props: DataLakehouseProps, seen: Map<unknown, string>): void {
  if (z.bucket !== undefined) {
    const bucket = z.bucket as { bucketArn?: unknown; bucketName?: unknown; encryptionKey?: unknown };
    if (typeof bucket?.bucketArn !== 'string') {
      v.fail(`${path}.bucket`, z.bucket, 'must be an s3.IBucket (for example s3.Bucket.fromBucketAttributes(...))');
    } else {
      for (const [prop, value] of Object.entries({ bucketName: z.bucketName, versioned: z.versioned, lifecycle: z.lifecycle, objectLock: z.objectLock })) {
        v.check(value === undefined, `${path}.${prop}`, value, `must not be set with ${path}.bucket (an existing bucket is configured by its owner)`);
      }
      v.check(props.encryptionKey !== undefined, 'encryptionKey', undefined,
        `is required with ${path}.bucket: the KMS key the existing bucket is encrypted with`);
      if (bucket.encryptionKey !== undefined && props.encryptionKey !== undefined) {
        v.check(bucket.encryptionKey === props.encryptionKey, `${path}.bucket`, String(bucket.bucketName),
          'is encrypted with another key than encryptionKey; every zone must use the lakehouse key');
      }
      const identity = typeof bucket.bucketName === 'string' && !Token.isUnresolved(bucket.bucketName) ? bucket.bucketName : z.bucket;
      const other = seen.get(identity);
      v.check(other === undefined, `${path}.bucket`, String(bucket.bucketName), `must differ from ${other}.bucket (one bucket per zone)`);
      seen.set(identity, path);
    }
  }
  if (z.existingDatabaseName !== undefined) {
    v.check(z.databaseName === undefined, `${path}.databaseName`, z.databaseName, `must not be set with ${path}.existingDatabaseName`);
    if (!Token.isUnresolved(z.existingDatabaseName)) v.matches(z.existingDatabaseName, GLUE_NAME, `${path}.existingDatabaseName`, GLUE_ALLOWED);
  }
}

/** Validates the resolved lifecycle of one zone: whole days, tiers in order, S3 minimums. */
export function validateLifecycle(v: Validator, zone: LakehouseZone, l: ResolvedLifecycle): void {
  const path = `zones.${zone}.lifecycle`;
  wholeDays(v, l.infrequentAccessAfter, `${path}.infrequentAccessAfter`);
  wholeDays(v, l.glacierAfter, `${path}.glacierAfter`);
  wholeDays(v, l.expireAfter, `${path}.expireAfter`);
  wholeDays(v, l.noncurrentVersionExpiration, `${path}.noncurrentVersionExpiration`);
  wholeDays(v, l.abortIncompleteMultipartUploadAfter, `${path}.abortIncompleteMultipartUploadAfter`);
  const ia = days(l.infrequentAccessAfter);
  const glacier = days(l.glacierAfter);
  const expire = days(l.expireAfter);
  if (ia !== undefined) {
    v.check(ia >= 30, `${path}.infrequentAccessAfter`, l.infrequentAccessAfter, 'must be at least 30 days (S3 minimum before Standard-IA)');
  }
  if (ia !== undefined && glacier !== undefined) {
    v.check(glacier >= ia + 30, `${path}.glacierAfter`, l.glacierAfter,
      `must be at least 30 days after infrequentAccessAfter (${ia} days)`);
  }
  const lastTier = Math.max(ia ?? 0, glacier ?? 0);
  if (expire !== undefined && lastTier > 0) {
    v.check(expire > lastTier, `${path}.expireAfter`, l.expireAfter, `must be later than every transition (${lastTier} days)`);
  }
}

function validateColumns(v: Validator, columns: readonly Column[], path: string, seen: Set<string>, format: TableFormat): void {
  for (const [i, c] of columns.entries()) {
    const cp = `${path}[${i}]`;
    v.matches(c.name, GLUE_NAME, `${cp}.name`, GLUE_ALLOWED);
    v.check(!seen.has(c.name), `${cp}.name`, c.name, 'must be unique across columns and partition keys');
    seen.add(c.name);
    if (!v.isInstance(c.type, ColumnType, `${cp}.type`, 'ColumnType.STRING, ColumnType.decimal(10, 2), ColumnType.custom("...")')) continue;
    const problem = c.type.problem();
    v.check(problem === undefined, `${cp}.type`, c.type.typeString, `is not a valid column type: ${problem}`);
    if (problem === undefined && format === TableFormat.ICEBERG) {
      v.check(c.type.icebergType !== undefined, `${cp}.type`, c.type.typeString,
        'has no Iceberg equivalent that CloudFormation can declare; use string, boolean, int, bigint, float, double, date, timestamp, binary or decimal(p,s)');
    }
  }
}

/**
 * Validates one table declaration.
 * @param existing table names already declared per zone
 */
export function validateTable(v: Validator, t: LakehouseTableOptions, path: string, existing: Map<LakehouseZone, Set<string>>): void {
  v.matches(t.name, GLUE_NAME, `${path}.name`, GLUE_ALLOWED);
  const zoneOk = v.check(isLakehouseZone(t.zone), `${path}.zone`, t.zone, `must be one of ${ALL_ZONES.join(', ')}`);
  if (zoneOk) {
    const names = existing.get(t.zone) ?? new Set<string>();
    v.check(!names.has(t.name), `${path}.name`, t.name, `must be unique within the ${t.zone} zone`);
    names.add(t.name);
    existing.set(t.zone, names);
  }
  const format = t.format ?? TableFormat.PARQUET;
  v.check(Object.values(TableFormat).includes(format), `${path}.format`, format, `must be one of ${Object.values(TableFormat).join(', ')}`);
  const columns = t.columns ?? [];
  const partitions = t.partitionKeys ?? [];
  v.check(columns.length >= 1, `${path}.columns`, columns.length, 'must declare at least one column');
  v.check(columns.length + partitions.length <= MAX_COLUMNS, `${path}.columns`, columns.length + partitions.length,
    `must declare at most ${MAX_COLUMNS} columns including partition keys`);
  const seen = new Set<string>();
  validateColumns(v, columns, `${path}.columns`, seen, format);
  validateColumns(v, partitions, `${path}.partitionKeys`, seen, format);
  for (const [i, p] of partitions.entries()) {
    v.check(p.type.isPrimitive, `${path}.partitionKeys[${i}].type`, p.type.typeString, 'partition keys must have a primitive type');
  }
  v.matches(t.prefix, PREFIX, `${path}.prefix`, 'must be a non-empty S3 key prefix ending with "/" (no leading "/")');
  if (t.partitionProjection) validateProjection(v, t, format, partitions, `${path}.partitionProjection`);
}

/** A relative date of a projection range ("Supported types for partition projection", date type). */
const RELATIVE_DATE = /^NOW(?:\s*[+-]\s*\d+\s*(?:YEARS?|MONTHS?|WEEKS?|DAYS?|HOURS?|MINUTES?|SECONDS?))?$/;
/** Date-time pattern letters Athena's date projection understands (Java DateTimeFormatter), with separators. */
const DATE_FORMAT = /^(?:[yMdHhmsSa]+|[-_/:. T]|'[^']*')+$/;

function validateProjection(v: Validator, t: LakehouseTableOptions, format: TableFormat, partitions: readonly Column[], path: string): void {
  const p = t.partitionProjection!;
  v.check(format === TableFormat.PARQUET, `${path}`, format, 'is only supported on Parquet tables (Iceberg tables track their own partitions)');
  const key = partitions.find((c) => c.name === p.column);
  if (v.check(key !== undefined, `${path}.column`, p.column, `must be a partition key of the table (${partitions.map((c) => c.name).join(', ') || 'none declared'})`)) {
    v.check(key!.type.typeString === 'string', `${path}.column`, `${p.column} ${key!.type.typeString}`, 'must be a string partition key (Athena projects dates as strings in `format`)');
  }
  // Athena ignores the catalog partitions of a projected table, so every partition key must be projected.
  v.check(partitions.length === 1, `${path}`, partitions.map((c) => c.name).join(','), 'needs a table with exactly one partition key (the projected one)');
  const fmt = p.format ?? PROJECTION_DEFAULTS.format;
  v.check(DATE_FORMAT.test(fmt), `${path}.format`, fmt, 'must be a Java DateTimeFormatter pattern such as yyyy-MM-dd');
  for (const [name, value] of [['start', p.start], ['end', p.end ?? PROJECTION_DEFAULTS.end]] as const) {
    if (Token.isUnresolved(value)) continue;
    const ok = RELATIVE_DATE.test(value) || (fmt === PROJECTION_DEFAULTS.format ? /^\d{4}-\d{2}-\d{2}$/.test(value) : !value.includes(','));
    v.check(ok, `${path}.${name}`, value, `must be a date in the format ${fmt} or a relative date such as NOW-2YEARS`);
  }
  if (p.interval !== undefined) {
    v.check(Number.isInteger(p.interval) && p.interval >= 1, `${path}.interval`, p.interval, 'must be a positive integer');
  }
  if (p.intervalUnit !== undefined) {
    v.check(Object.values(ProjectionIntervalUnit).includes(p.intervalUnit), `${path}.intervalUnit`, p.intervalUnit,
      `must be one of ${Object.values(ProjectionIntervalUnit).join(', ')}`);
  }
}
