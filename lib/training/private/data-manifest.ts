import { Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RETRY_ERRORS, retry } from './steps';

/**
 * The data version of a run on a non-Iceberg (Hive) source table (issue 19): a manifest of the S3
 * object versions the table location holds when the run starts, and the run's export.
 *
 * A Hive table has no snapshot to read back. Immediately before the Athena export, a fresh run
 * lists the current object versions under the table's key prefix (S3 ListObjectVersions) and writes
 * each page as `<artifact prefix>runs/<run id>/data-manifest/<page>.json` in the registry's artifact
 * bucket (versioned, retained). `$.pinned.data` then holds
 * `{ manifest: <s3 URI of that prefix>, manifestPages, export: <s3 URI of the export>, exportKey }`.
 *
 * The manifest is evidence (which files, at which versions, the table was made of), not the way a
 * reproduce run gets its rows: the zone buckets expire noncurrent versions after the profile's
 * `noncurrentVersionRetention` (lib/lakehouse/private/lifecycle.ts), so a version id recorded here is
 * resolvable only within that window. A reproduce run reads the run's export instead
 * (`training-exports/<model>/<run id>/` in the analytics zone, exactly the rows the run read),
 * which nothing expires while current (the analytics zone's defaults tier to Infrequent Access only;
 * a zone `expireAfter` or `glacierAfter` set by the user would make old exports unreadable, and a
 * reproduce run then stops with `RecordedDataGone` when the export has no objects left).
 *
 * The listing and the UNLOAD are two reads, not one transaction: a write that lands between them is
 * in the export but not in the manifest. The export is therefore the authoritative record of the
 * rows; the manifest says which files and versions the table held when the run started.
 */

/**
 * Keys per ListObjectVersions page. A page travels through the execution state, whose payload is at
 * most 256 KiB (Step Functions service quotas; a larger task result fails with
 * States.DataLimitExceeded). A version entry is at most about 1.5 KB (a key is at most 1,024 bytes),
 * so 100 entries stay under the quota whatever the keys.
 */
export const MANIFEST_PAGE_SIZE = 100;

/**
 * Pages a run lists at most (100,000 objects). Each page costs four states (about 14 history events),
 * and a standard execution holds at most 25,000 events (Step Functions service quotas); a table with
 * more objects ends the run with `DataManifestTooLarge` (an Iceberg table pins one snapshot id instead).
 */
export const MANIFEST_MAX_PAGES = 1000;

/** Options of {@link dataManifestStates}. */
export interface DataManifestOptions {
  /** The registry's artifact bucket, where the manifest pages are written. */
  readonly bucketName: string;
  /** The model's artifact prefix, ending in '/'. */
  readonly prefix: string;
  /** The source table, `db.table`, recorded in each page. */
  readonly table: string;
  /** The source table's zone bucket and key prefix (ending in '/'). */
  readonly tableBucketName: string;
  readonly tablePrefix: string;
  /** `States.Format` template of the run's export URI (`{}` = run id), and of its key prefix. */
  readonly exportUri: string;
  readonly exportKey: string;
  /** Where a failed call goes. */
  readonly failed: sfn.IChainable;
}

function s3Task(scope: Construct, id: string, action: string, parameters: Record<string, unknown>, resultPath: string | null): sfn.CustomState {
  const state = new sfn.CustomState(scope, id, {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${Stack.of(scope).partition}:states:::aws-sdk:s3:${action}`,
      TimeoutSeconds: Duration.minutes(2).toSeconds(),
      Parameters: parameters,
      ResultPath: resultPath,
    },
  });
  state.addRetry(retry(RETRY_ERRORS.s3Sdk));
  return state;
}

/** The manifest loop of a fresh run on a Hive table; it pins `$.pinned.data` and goes on to `then`. */
export function dataManifestStates(scope: Construct, o: DataManifestOptions, then: sfn.IChainable): sfn.IChainable {
  const manifestPrefix = `${o.prefix}runs/{}/data-manifest/`;
  const start = new sfn.Pass(scope, 'DataManifestStart', { parameters: { page: 0 }, resultPath: '$.manifest' });

  // ListObjectVersions (S3 API reference): request Bucket, Prefix, MaxKeys (default up to 1,000),
  // KeyMarker and VersionIdMarker (where to continue); response IsTruncated, NextKeyMarker and
  // NextVersionIdMarker ("use this value for the key-marker / version-id-marker request parameter in
  // a subsequent request"), Versions[] (ObjectVersion: Key, VersionId, IsLatest, ETag, Size,
  // LastModified, StorageClass) and DeleteMarkers[]. Versions is absent when a page holds none (all
  // delete markers, or an empty table), hence no ResultSelector here and the HasVersions? check.
  const list = { 'Bucket': o.tableBucketName, 'Prefix': o.tablePrefix, 'MaxKeys': MANIFEST_PAGE_SIZE };
  const first = s3Task(scope, 'ListDataVersions', 'listObjectVersions', list, '$.manifest.listing');
  const more = s3Task(scope, 'ListMoreDataVersions', 'listObjectVersions', {
    ...list, 'KeyMarker.$': '$.manifest.keyMarker', 'VersionIdMarker.$': '$.manifest.versionIdMarker',
  }, '$.manifest.listing');

  // The current objects are the versions with IsLatest = true (a deleted key's latest version is a
  // delete marker, listed in DeleteMarkers). Parameters take full JSONPath, including filter
  // expressions; only reference paths (InputPath, ResultPath, OutputPath) exclude @ and ?
  // (Step Functions developer guide, "Using JSONPath paths": Reference Paths).
  const body = (versions: Record<string, unknown>) => ({
    table: o.table, bucket: o.tableBucketName, prefix: o.tablePrefix, 'page.$': '$.manifest.page', ...versions,
  });
  const page = new sfn.Pass(scope, 'DataManifestPage', {
    parameters: body({ 'versions.$': '$.manifest.listing.Versions[?(@.IsLatest == true)]' }),
    resultPath: '$.manifest.body',
  });
  const emptyPage = new sfn.Pass(scope, 'EmptyDataManifestPage', { parameters: body({ versions: [] }), resultPath: '$.manifest.body' });
  // PutObject (S3 API reference): Bucket, Key, Body; the bucket's default encryption (SSE-KMS) applies.
  const write = s3Task(scope, 'WriteDataManifestPage', 'putObject', {
    'Bucket': o.bucketName,
    'Key.$': `States.Format('${manifestPrefix}{}.json', $.run.id, $.manifest.page)`,
    'ContentType': 'application/json',
    'Body.$': 'States.JsonToString($.manifest.body)',
  }, null);
  for (const s of [first, more, write]) s.addCatch(o.failed, { resultPath: '$.error' });
  const hasVersions = new sfn.Choice(scope, 'HasVersions?')
    .when(sfn.Condition.isPresent('$.manifest.listing.Versions'), page.next(write))
    .otherwise(emptyPage.next(write));
  first.next(hasVersions);
  more.next(hasVersions);

  const tooLarge = new sfn.Fail(scope, 'DataManifestTooLarge', {
    error: 'DataManifestTooLarge',
    cause: `${o.table} holds more than ${MANIFEST_MAX_PAGES * MANIFEST_PAGE_SIZE} objects (${MANIFEST_MAX_PAGES} pages of ${MANIFEST_PAGE_SIZE}); `
      + 'the run cannot record its data version. Compact the table or declare it as Iceberg, whose runs pin a snapshot id.',
  });
  const next = new sfn.Pass(scope, 'NextDataManifestPage', {
    parameters: {
      'page.$': 'States.MathAdd($.manifest.page, 1)',
      'keyMarker.$': '$.manifest.listing.NextKeyMarker',
      'versionIdMarker.$': '$.manifest.listing.NextVersionIdMarker',
    },
    resultPath: '$.manifest',
  });
  // Replaces the last listing (up to ~150 KB) so that the rest of the run does not carry it.
  const done = new sfn.Pass(scope, 'DataManifestDone', {
    parameters: { 'pages.$': 'States.MathAdd($.manifest.page, 1)' },
    resultPath: '$.manifest',
  });
  const pin = new sfn.Pass(scope, 'PinDataVersion', {
    parameters: {
      'manifest.$': `States.Format('s3://${o.bucketName}/${manifestPrefix}', $.run.id)`,
      'manifestPages.$': '$.manifest.pages',
      'export.$': `States.Format('${o.exportUri}', $.run.id)`,
      'exportKey.$': `States.Format('${o.exportKey}', $.run.id)`,
    },
    resultPath: '$.pinned.data',
  });
  const truncated = sfn.Condition.booleanEquals('$.manifest.listing.IsTruncated', true);
  write.next(new sfn.Choice(scope, 'MoreDataVersions?')
    .when(sfn.Condition.and(truncated, sfn.Condition.numberGreaterThanEquals('$.manifest.page', MANIFEST_MAX_PAGES - 1)), tooLarge)
    .when(truncated, next.next(more))
    .otherwise(done.next(pin).next(then)));
  return start.next(first);
}

/**
 * The reproduce side of a Hive run: the recorded export stands in for the Athena export, whose query
 * id is the original run's (so a reproduce of a reproduce still names the query that read the table).
 */
export function recordedExportState(scope: Construct): sfn.Pass {
  return new sfn.Pass(scope, 'UseRecordedExport', {
    parameters: { 'QueryExecutionId.$': '$.recorded.lineage.document.source.exportQuery', 'State': 'RECORDED' },
    resultPath: '$.export',
  });
}

/** Where a reproduce run ends when its recorded export has no objects left: the cause names the URI. */
export function recordedDataGone(scope: Construct): sfn.IChainable {
  // CausePath also takes States.Format; a Pass composes the text so the cause is a plain reference path.
  const describe = new sfn.Pass(scope, 'DescribeRecordedDataGone', {
    parameters: {
      'cause.$': 'States.Format(\'The recorded export {} of version {} has no objects: the rows that version was trained on are gone, so it cannot be reproduced.\', '
        + '$.pinned.data.export, $.pinned.reproduces)',
    },
    resultPath: '$.gone',
  });
  return describe.next(new sfn.Fail(scope, 'RecordedDataGone', { error: 'RecordedDataGone', causePath: '$.gone.cause' }));
}
