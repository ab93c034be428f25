import { Duration, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RETRY_ERRORS, retry } from './steps';

/**
 * Reproducibility of the retraining workflow: what a run pins (data snapshot, code, image,
 * hyperparameters), the lineage document it writes, and the SageMaker ML Lineage Tracking entities
 * it creates. Every state here is a top-level Task so that it is visible in the execution history.
 *
 * The pinned inputs live in the execution state at `$.pinned`:
 * `{ snapshotId, code: { prepare|baseline|evaluate: { uri, entrypoint } }, image, inferenceImage,
 * hyperparameters, reproduces }`. A fresh run fills them from the deployed configuration and the
 * table's current snapshot; a reproduce run copies `inputs` from the recorded lineage document.
 *
 * The prepared splits and this document live under `<artifact prefix>runs/<run id>/` of the
 * registry's artifact bucket, which is versioned, retained, and whose only lifecycle rule expires
 * noncurrent versions: current objects are kept for as long as the bucket, so for as long as the
 * versions they produced (asserted in test/training/lineage.test.ts).
 *
 * The documented query "endpoint -> model version -> data snapshot and code":
 * 1. endpoint -> version: the serving stack's SSM parameter (an AWS::SSM::Parameter::Value<String>
 *    template parameter) holds the model package ARN the endpoint's model was created from;
 * 2. version -> record: DescribeModelPackage; CustomerMetadataProperties carry data-snapshot,
 *    code-prepare/-baseline/-evaluate, image, hyperparameters, trigger, execution and `lineage`, the
 *    document's key in the registry's artifact bucket;
 * 3. version -> lineage entities: ListContexts(SourceUri=<model package ARN>) gives the run's
 *    context (ListContexts, SageMaker API reference: "A filter that returns only contexts with the
 *    specified source URI"); QueryLineage(StartArns=[<context ARN>], Direction=Ascendants, IncludeEdges=true)
 *    returns the DataSnapshot, Code and Image artifacts (SageMaker API reference, QueryLineage:
 *    Direction Both | Ascendants | Descendants).
 * 4. deployments: each stage a promotion updated is a ModelDeployment action sourced at the stage's
 *    approved-version parameter ARN, with the run context ContributedTo it (lib/inference/private/promotion.ts),
 *    so ListActions(SourceUri=<parameter ARN>, ActionType=ModelDeployment) then QueryLineage(StartArns=[<action ARN>],
 *    Direction=Ascendants) goes from an endpoint's parameter to the run and its DataSnapshot artifact
 *    (followed over the default app in test/training/lineage.test.ts).
 */

/** The scripts a run executes, by role. */
export const SCRIPT_ROLES = ['prepare', 'baseline', 'evaluate'] as const;
export type ScriptRole = typeof SCRIPT_ROLES[number];

/** Where the pinned inputs live in the execution state. */
export const PINNED = '$.pinned';

/** The recorded inputs a run pins (and a reproduce run pins back), in `$.pinned` and the lineage document's `inputs`. */
const PINNED_INPUTS = ['snapshotId', 'code', 'image', 'inferenceImage', 'hyperparameters', 'hyperparametersText'] as const;

/** Step Functions parameters that copy every pinned input from `path` (`{ 'snapshotId.$': '<path>.snapshotId', ... }`). */
function pinnedInputsFrom(path: string, dataManifest = false): Record<string, string> {
  // A Hive source also pins `data` (its manifest and export, lib/training/private/data-manifest.ts).
  return Object.fromEntries([...PINNED_INPUTS, ...(dataManifest ? ['data'] : [])].map((k) => [`${k}.$`, `${path}.${k}`]));
}

/** The lineage document's schema version, recorded in the document and the package metadata. */
export const LINEAGE_SCHEMA = 'mlops.lineage/v1';

/** Written into `$.pinned.reproduces` by a fresh run (CustomerMetadataProperties values are strings). */
export const NOT_REPRODUCED = 'none';

/**
 * CustomerMetadataProperties values (SageMaker API reference, ModelPackage): 1 to 256 characters of
 * letters, separators, digits and `_.:/=+-@` (pattern `^([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)$`); at most 50
 * entries, keys 1 to 128 characters of the same set.
 */
export const METADATA_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$/u;

/** A map as one metadata value, `k=v k=v` in key order; `fallback` when it does not fit the pattern. */
export function metadataText(map: Record<string, string>, fallback: string): string {
  const text = Object.keys(map).sort().map((k) => `${k}=${map[k]}`).join(' ');
  return METADATA_VALUE.test(text) ? text : fallback;
}

/** A processing job's code input and entrypoint, read from the pinned code of `role`. */
export function pinnedCode(role: ScriptRole, localPath: string): { input: Record<string, unknown>; entrypoint: Record<string, string> } {
  return {
    input: { 'InputName': 'code', 'S3Input': { 'S3Uri.$': `${PINNED}.code.${role}.uri`, 'LocalPath': localPath, 'S3DataType': 'S3Prefix', 'S3InputMode': 'File' } },
    // States.Array builds ["python3", "<entrypoint>"] (Amazon States Language intrinsic functions).
    entrypoint: { 'ContainerEntrypoint.$': `States.Array('python3', ${PINNED}.code.${role}.entrypoint)` },
  };
}

/** Options of {@link lineageStates}. */
export interface LineageStatesOptions {
  readonly bucketName: string;
  /** The model's artifact prefix, ending in '/'. */
  readonly prefix: string;
  /** Job-name prefix of the model; the run context is `<jobPrefix>-run-<run id>`. */
  readonly jobPrefix: string;
  /** The fully qualified source table, `db.table`. */
  readonly table: string;
  /** Facts of the environment recorded for audit (instance types, counts, runtimes). */
  readonly environment: Record<string, unknown>;
  /** The evaluation metric's name. */
  readonly metric: string;
  readonly metricPath: string;
  /** `States.Format` expression of an S3 URI under the run prefix. */
  readonly runUri: (sub: string) => string;
  /**
   * Whether the run pins `$.pinned.data` (a Hive source: the object-version manifest and the export),
   * recorded in the document's inputs and source and in the DataSnapshot artifact.
   * @default false
   */
  readonly dataManifest?: boolean;
}

/** The states that write the lineage document and create the lineage entities. */
export interface LineageStates {
  /** Compose and S3 PutObject `<prefix>runs/<id>/lineage.json` (before Register, which points to it). */
  readonly writeDocument: [sfn.Pass, sfn.CustomState];
  /** After Register: the run context, the three artifacts and their associations, in order. */
  readonly record: sfn.CustomState[];
  /** `States.Format` expression of the lineage document's key. */
  readonly documentKey: string;
}

function sdkTask(scope: Construct, id: string, action: string, parameters: Record<string, unknown>,
  resultSelector: Record<string, string> | undefined, resultPath: string | null): sfn.CustomState {
  const stack = Stack.of(scope);
  const state = new sfn.CustomState(scope, id, {
    stateJson: {
      Type: 'Task',
      Resource: `arn:${stack.partition}:states:::aws-sdk:${action}`,
      TimeoutSeconds: Duration.minutes(2).toSeconds(),
      Parameters: parameters,
      ...(resultSelector ? { ResultSelector: resultSelector } : {}),
      ResultPath: resultPath,
    },
  });
  state.addRetry(retry(action.startsWith('s3:') ? RETRY_ERRORS.s3Sdk : RETRY_ERRORS.sagemakerSdk));
  return state;
}

export function lineageStates(scope: Construct, o: LineageStatesOptions): LineageStates {
  const documentKey = `States.Format('${o.prefix}runs/{}/lineage.json', $.run.id)`;
  const documentUri = o.runUri('lineage.json');

  // The full record: inputs (what a reproduce run pins), environment (recorded for audit), the run
  // (execution ARN and the triggering input, $$.Execution.Input) and its outputs.
  // Composed by a Pass state (intrinsic functions take paths, not literal objects), then serialized.
  const compose = new sfn.Pass(scope, 'ComposeLineage', {
    parameters: {
      schema: LINEAGE_SCHEMA,
      'inputs': pinnedInputsFrom(PINNED, o.dataManifest),
      'source': {
        'table': o.table, 'snapshotId.$': `${PINNED}.snapshotId`, 'exportQuery.$': '$.export.QueryExecutionId',
        ...(o.dataManifest ? { 'data.$': `${PINNED}.data` } : {}),
      },
      'environment': o.environment,
      'run': {
        'id.$': '$.run.id',
        'startedAt.$': '$.run.startedAt',
        'executionArn.$': '$$.Execution.Id',
        'trigger.$': '$$.Execution.Input',
        'reproduces.$': `${PINNED}.reproduces`,
      },
      'outputs': {
        'prepared.$': o.runUri('prepared/'),
        'trainingJob.$': '$.train.JobName',
        'modelData.$': '$.train.ModelArtifacts',
        'baseline.$': o.runUri('baseline/baseline.json'),
        'evaluation.$': o.runUri('evaluation/evaluation.json'),
        'metric': o.metric,
        'metricValue.$': o.metricPath,
      },
    },
    resultPath: '$.lineageDocument',
  });
  // PutObject (S3 API reference): Bucket, Key, Body (the object data); States.JsonToString
  // serializes the composed document. The bucket's default encryption (SSE-KMS) applies.
  const put = sdkTask(scope, 'WriteLineage', 's3:putObject', {
    'Bucket': o.bucketName,
    'Key.$': documentKey,
    'ContentType': 'application/json',
    'Body.$': 'States.JsonToString($.lineageDocument)',
  }, undefined, null);

  // CreateContext (SageMaker API reference): ContextName (required, [a-zA-Z0-9](-*[a-zA-Z0-9]){0,119},
  // unique per account and Region), Source.SourceUri (required), ContextType (required, <= 256).
  // The context's source is the registered model package, so ListContexts(SourceUri=<package ARN>)
  // finds the run of a version.
  const context = sdkTask(scope, 'LineageContext', 'sagemaker:createContext', {
    'ContextName.$': `States.Format('${o.jobPrefix}-run-{}', $.run.id)`,
    'ContextType': 'TrainingRun',
    'Source': { 'SourceUri.$': '$.registered.ModelPackageArn' },
    'Description.$': `States.Format('Retraining run {} (execution {})', $.run.id, $$.Execution.Id)`,
    'Properties': {
      'RunId.$': '$.run.id',
      'ExecutionArn.$': '$$.Execution.Id',
      'ModelPackageArn.$': '$.registered.ModelPackageArn',
      'Lineage.$': documentUri,
      'Reproduces.$': `${PINNED}.reproduces`,
    },
  }, { 'ContextArn.$': '$.ContextArn' }, '$.lineage.context');

  // CreateArtifact (SageMaker API reference): Source.SourceUri and ArtifactType required,
  // ArtifactName optional (omitted: it must be unique per account and Region). SageMaker keeps one
  // artifact per SourceUri and creates its own for job inputs, outputs and images, so these
  // SourceUris are the run's lineage document with a fragment: unique to the run, and they point to
  // the record that holds the full value; the value itself is in Properties.
  const artifact = (id: string, type: string, fragment: string, properties: Record<string, string>) =>
    sdkTask(scope, id, 'sagemaker:createArtifact', {
      'ArtifactType': type,
      'Source': { 'SourceUri.$': `States.Format('{}#${fragment}', ${documentUri})` },
      'Properties': properties,
    }, { 'ArtifactArn.$': '$.ArtifactArn' }, `$.lineage.${fragment}`);
  const data = artifact('DataArtifact', 'DataSnapshot', 'data', {
    'Table': o.table,
    'SnapshotId.$': `${PINNED}.snapshotId`,
    'ExportQuery.$': '$.export.QueryExecutionId',
    'Prepared.$': o.runUri('prepared/'),
    // CreateArtifact Properties are string to string (SageMaker API reference), hence the page count formatted.
    ...(o.dataManifest ? {
      'Manifest.$': `${PINNED}.data.manifest`,
      'ManifestPages.$': `States.Format('{}', ${PINNED}.data.manifestPages)`,
      'Export.$': `${PINNED}.data.export`,
    } : {}),
  });
  const code = artifact('CodeArtifact', 'Code', 'code', Object.fromEntries(SCRIPT_ROLES.map((r) => [`${r[0].toUpperCase()}${r.slice(1)}.$`, `${PINNED}.code.${r}.uri`])));
  const image = artifact('ImageArtifact', 'Image', 'image', { 'TrainingImage.$': `${PINNED}.image`, 'InferenceImage.$': `${PINNED}.inferenceImage` });

  // AddAssociation (SageMaker API reference): SourceArn, DestinationArn required; AssociationType
  // ContributedTo = "the source contributed to the destination".
  const associate = (id: string, fragment: string) => sdkTask(scope, id, 'sagemaker:addAssociation', {
    'SourceArn.$': `$.lineage.${fragment}.ArtifactArn`,
    'DestinationArn.$': '$.lineage.context.ContextArn',
    'AssociationType': 'ContributedTo',
  }, undefined, null);

  return {
    writeDocument: [compose, put],
    record: [context, data, code, image, associate('LinkData', 'data'), associate('LinkCode', 'code'), associate('LinkImage', 'image')],
    documentKey,
  };
}

/** Options of {@link pinStates}. */
export interface PinStatesOptions {
  readonly bucketName: string;
  /** The model's artifact prefix, ending in '/'. */
  readonly prefix: string;
  /** `arn:<partition>:sagemaker:<region>:<account>:model-package/<group>/`: a version number appended gives its ARN. */
  readonly packageArnPrefix: string;
  /** The deployed configuration a fresh run pins. */
  readonly code: Record<ScriptRole, { uri: string; entrypoint: string }>;
  readonly image: string;
  readonly inferenceImage: string;
  readonly hyperparameters: Record<string, string>;
  /** The hyperparameters as one metadata value (`k=v k=v`), see {@link metadataText}. */
  readonly hyperparametersText: string;
  /** For an Iceberg source: the table and workgroup to read the current snapshot with. */
  readonly iceberg?: { readonly database: string; readonly table: string; readonly workGroup: string };
  /** Where a run ends when there is nothing to train on. */
  readonly noData: sfn.IChainable;
  /** Where a failed step goes. */
  readonly failed: sfn.IChainable;
  /**
   * For a Hive source: where a fresh run goes after PinCurrent (the manifest loop, which pins
   * `$.pinned.data` and goes on to the export) and where a reproduce run goes after PinRecorded
   * (its recorded export instead of a new one). A record without `inputs.data` (written before Hive
   * runs recorded their data) stops with NotReproducible.
   */
  readonly hive?: { readonly fresh: sfn.IChainable; readonly recorded: sfn.IChainable };
}

/** The states from Init to the export: name the trigger, then pin the inputs (fresh or recorded). */
export function pinStates(scope: Construct, o: PinStatesOptions, then: sfn.IChainable): sfn.IChainable {
  const stack = Stack.of(scope);
  const pinned = (snapshot: string, reproduces: string, recorded?: string) => new sfn.Pass(scope, recorded ? 'PinRecorded' : 'PinCurrent', {
    parameters: recorded ? { ...pinnedInputsFrom(recorded, o.hive !== undefined), 'reproduces.$': reproduces } : {
      ...(snapshot.startsWith('$') ? { 'snapshotId.$': snapshot } : { snapshotId: snapshot }),
      code: o.code,
      image: o.image,
      inferenceImage: o.inferenceImage,
      hyperparameters: o.hyperparameters,
      hyperparametersText: o.hyperparametersText,
      reproduces,
    },
    resultPath: PINNED,
  });

  // --- reproduce: DescribeModelPackage -> the recorded document -> pin its inputs ------------------
  const describe = sdkTask(scope, 'DescribeRecorded', 'sagemaker:describeModelPackage', {
    'ModelPackageName.$': '$.reproduce.modelPackageArn',
    // DescribeModelPackage response (SageMaker API reference): ModelPackageArn, CustomerMetadataProperties
    // (absent on versions registered without metadata, hence no ResultSelector: a missing path there
    // would end the run with States.Runtime, which no Catch catches).
  }, undefined, '$.recorded.package');
  const read = sdkTask(scope, 'ReadRecordedLineage', 's3:getObject', {
    'Bucket': o.bucketName,
    'Key.$': '$.recorded.package.CustomerMetadataProperties.lineage',
  }, { 'document.$': 'States.StringToJson($.Body)' }, '$.recorded.lineage');
  for (const s of [describe, read]) s.addCatch(o.failed, { resultPath: '$.error' });
  const byVersion = new sfn.Pass(scope, 'ResolveVersion', {
    parameters: { 'modelPackageArn.$': `States.Format('${o.packageArnPrefix}{}', $.reproduce.version)` },
    resultPath: '$.reproduce',
  });
  // Images are deployment configuration (the jobs name them in the template, where reviewers and
  // the day-zero checks see them): a reproduce run checks that the recorded images are the deployed
  // ones and stops, saying which, when they are not.
  const inputs = '$.recorded.lineage.document.inputs';
  // A Hive record must name the export its run read: re-exporting the table as it is now would train
  // on other rows than the version's. Records written before runs pinned their data stop here.
  const pinRecorded = pinned('', '$.recorded.package.ModelPackageArn', inputs);
  const reproduceData = o.hive
    ? new sfn.Choice(scope, 'DataRecorded?')
      .when(sfn.Condition.isPresent(`${inputs}.data.export`), pinRecorded.next(o.hive.recorded))
      .otherwise(new sfn.Fail(scope, 'DataNotRecorded', {
        error: 'NotReproducible',
        cause: 'The version\'s lineage document names no export (inputs.data): it was recorded before runs on a non-Iceberg table kept their data version, so its rows cannot be read back.',
      }))
    : pinRecorded.next(then);
  const imageChanged = new sfn.Fail(scope, 'ReproduceImageChanged', {
    error: 'ReproduceImageChanged',
    cause: `The recorded training or inference image is not the deployed one (${o.image}, ${o.inferenceImage}); deploy the recorded image to reproduce this version.`,
  });
  const sameImages = new sfn.Choice(scope, 'SameImages?')
    .when(sfn.Condition.and(
      sfn.Condition.isPresent(`${inputs}.image`), sfn.Condition.stringEquals(`${inputs}.image`, o.image),
      sfn.Condition.isPresent(`${inputs}.inferenceImage`), sfn.Condition.stringEquals(`${inputs}.inferenceImage`, o.inferenceImage),
    ), reproduceData)
    .otherwise(imageChanged);
  const notRecorded = new sfn.Fail(scope, 'NotReproducible', {
    error: 'NotReproducible',
    cause: 'The version has no lineage document (CustomerMetadataProperties.lineage): it was registered before runs recorded their inputs.',
  });
  const recorded = describe.next(new sfn.Choice(scope, 'HasLineage?')
    .when(sfn.Condition.isPresent('$.recorded.package.CustomerMetadataProperties.lineage'), read.next(sameImages))
    .otherwise(notRecorded));

  // --- fresh run: the table's current snapshot, or none for a Hive table -----------------------------
  let fresh: sfn.IChainable;
  if (o.iceberg) {
    // Athena user guide, "Query Iceberg table metadata": SELECT ... FROM "db"."table$history" lists
    // the table's snapshots; is_current_ancestor leaves out those a rollback abandoned. An empty
    // table has no snapshot (no rows: day 0).
    const query = `SELECT CAST(snapshot_id AS VARCHAR) FROM "${o.iceberg.database}"."${o.iceberg.table}$history" `
      + 'WHERE is_current_ancestor ORDER BY made_current_at DESC LIMIT 1';
    const current = new sfn.CustomState(scope, 'CurrentSnapshot', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::athena:startQueryExecution.sync`,
        TimeoutSeconds: Duration.minutes(15).toSeconds(),
        Parameters: { QueryString: query, WorkGroup: o.iceberg.workGroup },
        ResultSelector: { 'QueryExecutionId.$': '$.QueryExecution.QueryExecutionId' },
        ResultPath: '$.snapshotQuery',
      },
    });
    // Step Functions' optimized Athena integration supports GetQueryResults (request-response).
    // GetQueryResults (Athena API reference): ResultSet.Rows[].Data[].VarCharValue; for a SELECT the
    // first row holds the column names.
    const results = new sfn.CustomState(scope, 'ReadSnapshot', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::athena:getQueryResults`,
        TimeoutSeconds: Duration.minutes(2).toSeconds(),
        Parameters: { 'QueryExecutionId.$': '$.snapshotQuery.QueryExecutionId', 'MaxResults': 2 },
        ResultSelector: { 'Rows.$': '$.ResultSet.Rows' },
        ResultPath: '$.snapshotQuery.result',
      },
    });
    current.addRetry(retry(RETRY_ERRORS.athena));
    results.addRetry(retry(RETRY_ERRORS.athena));
    for (const s of [current, results]) s.addCatch(o.failed, { resultPath: '$.error' });
    const value = '$.snapshotQuery.result.Rows[1].Data[0].VarCharValue';
    fresh = current.next(results).next(new sfn.Choice(scope, 'HasSnapshot?')
      .when(sfn.Condition.isPresent(value), pinned(value, NOT_REPRODUCED).next(then))
      .otherwise(o.noData));
  } else {
    // A Hive table has no snapshot: the run records a manifest of the table's object versions and
    // its export (lib/training/private/data-manifest.ts) when the engine gives the loop.
    fresh = pinned('none', NOT_REPRODUCED).next(o.hive ? o.hive.fresh : then);
  }

  const mode = new sfn.Choice(scope, 'Reproduce?')
    .when(sfn.Condition.isPresent('$.reproduce.modelPackageArn'), recorded)
    .when(sfn.Condition.isPresent('$.reproduce.version'), byVersion.next(describe))
    .otherwise(fresh);
  const manual = new sfn.Pass(scope, 'ManualTrigger', { result: sfn.Result.fromString('manual'), resultPath: '$.trigger' });
  return new sfn.Choice(scope, 'HasTrigger?')
    .when(sfn.Condition.isPresent('$.trigger'), mode)
    .otherwise(manual.next(mode));
}
