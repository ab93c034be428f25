import * as path from 'path';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { createLogGroup } from '../../core/encryption';
import type { SageMakerNetwork } from '../../core/environment';
import { MODEL_STATS_SCRIPT } from '../../core/python-assets';
import { grantWithKey } from '../../core/grants';
import { acknowledgeWildcardResources } from '../../core/nag';
import { MlInstanceType } from '../../core/ml-instance-type';
import { IDataLakehouse } from '../../lakehouse/data-lakehouse';
import { TableFormat } from '../../lakehouse/table';
import { LakehouseZone } from '../../lakehouse/zone';
import { IModelRegistry, ModelRegistry } from '../../registry/model-registry';
import { REGISTRATION_APPROVAL_STATUS } from '../../registry/model-registry-props';
import * as perms from '../perms';
import { ManagedTrainingOptions, MetricGoal, TRAINING_DEFAULTS } from '../training-cluster-props';
import { ImageUse, TrainingImage } from '../training-image';
import { dataManifestStates, recordedDataGone, recordedExportState } from './data-manifest';
import { LINEAGE_SCHEMA, NOT_REPRODUCED, SCRIPT_ROLES, lineageStates, metadataText, pinStates, pinnedCode } from './lineage';
import { MlflowLogging } from './mlflow-logging';
import { TrainingNetwork } from './network';
import { CODE_DIR, DATA_DIR, MODEL_DIR, OUTPUT_DIR, RETRY_ERRORS, StepSettings, codeInput, retry, stepSettings } from './steps';


/** Props of {@link ManagedEngine}. */
export interface ManagedEngineProps {
  readonly lakehouse: IDataLakehouse;
  readonly registry: IModelRegistry;
  readonly model: string;
  readonly network: TrainingNetwork;
  readonly options: ManagedTrainingOptions;
  readonly removalPolicy: RemovalPolicy;
  /** Whether jobs join the network's VPC (`'vpc'`) or run on SageMaker's own network (`'managed'`). */
  readonly jobNetwork: SageMakerNetwork;
  /** Topic of the training alerts (an MLflow logging failure is reported there). */
  readonly alertTopic: sns.ITopic;
}

/**
 * The managed retraining workflow: export (an Athena UNLOAD of the declared columns, a
 * snapshot-consistent read of the source table) -> stop when there is no data -> prepare
 * (processing job) -> baseline (the library's own processing job: per-feature statistics of the
 * training split, `baseline.json`, for the drift job) -> train (training job on spot, with checkpoints) -> evaluate (processing job
 * writing evaluation.json) -> gate on the metric -> register a PendingManualApproval model package
 * with its metrics and its drift baseline. Every job runs in private subnets with network isolation and KMS-encrypted
 * volumes and outputs.
 */
export class ManagedEngine extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly jobRole: iam.Role;

  constructor(scope: Construct, id: string, props: ManagedEngineProps) {
    super(scope, id);
    const { registry, model, network, lakehouse, options: o } = props;
    const stack = Stack.of(this);
    const key = registry.encryptionKey;
    const bucket = registry.artifactBucket;
    const prefix = registry.artifactPrefix(model);
    const sourceZone = o.source.zone ?? TRAINING_DEFAULTS.sourceZone;
    const sourceTable = lakehouse.findTable(sourceZone, o.source.table)!;
    // The table's data: its zone bucket and the key prefix of its location (s3://<bucket>/<prefix>).
    const sourceBucket = lakehouse.zoneBucket(sourceZone);
    const tablePrefix = sourceTable.location.slice(`s3://${sourceBucket.bucketName}/`.length);
    const jobPrefix = model.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 20);
    const sampleId = o.sampleId ?? TRAINING_DEFAULTS.sampleId;
    const contract = ['--features', o.features.join(','), '--label', o.label, '--id', sampleId];

    // --- the role every job runs as -----------------------------------------------------------
    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `SageMaker jobs of the ${model} retraining workflow`,
    });
    const runObjects = bucket.arnForObjects(`${prefix}runs/*`);
    grantWithKey(this.jobRole, { actions: perms.ARTIFACT_RW, resourceArns: [runObjects], key, keyActions: perms.KEY_RW });
    grantWithKey(this.jobRole, { actions: perms.ARTIFACT_LIST, resourceArns: [bucket.bucketArn] });
    const sagemakerLogs = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: '/aws/sagemaker/*', arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    grantWithKey(this.jobRole, { actions: perms.JOB_LOGS, resourceArns: [sagemakerLogs] });
    iam.Grant.addToPrincipal({ grantee: this.jobRole, actions: perms.VPC_ENI, resourceArns: ['*'] });
    iam.Grant.addToPrincipal({
      grantee: this.jobRole, actions: perms.METRICS_PUT, resourceArns: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    });

    // The run's export in the analytics zone: written by Athena for the orchestrator, read by prepare.
    const analytics = lakehouse.zoneBucket(LakehouseZone.ANALYTICS);
    const exportPrefix = `${TRAINING_DEFAULTS.exportPrefix}${model}/`;
    const exportObjects = analytics.arnForObjects(`${exportPrefix}*`);
    grantWithKey(this.jobRole, {
      actions: perms.EXPORT_READ, resourceArns: [exportObjects], key: lakehouse.encryptionKey, keyActions: perms.EXPORT_KEY_READ,
    });
    grantWithKey(this.jobRole, { actions: perms.ARTIFACT_LIST, resourceArns: [analytics.bucketArn] });

    // The job role may pull exactly the image it runs (nothing for AWS-provided images).
    const image = o.image ?? TrainingImage.xgboost();
    const trainingImage = image.bind(this, { registry, use: ImageUse.TRAINING, grantee: this.jobRole }).imageUri;
    const inferenceImage = (o.inferenceImage ?? image).bind(this, { registry, use: ImageUse.INFERENCE }).imageUri;

    acknowledgeWildcardResources(this.jobRole, [runObjects], 'Jobs read and write the objects of their own run under the model\'s artifact prefix.');
    acknowledgeWildcardResources(this.jobRole, [exportObjects], 'Prepare reads its run\'s export under the model\'s export prefix; the run id is a per-execution UUID.');
    acknowledgeWildcardResources(this.jobRole, [sagemakerLogs], 'SageMaker writes one log stream per job into /aws/sagemaker/ log groups.');
    acknowledgeWildcardResources(this.jobRole, ['*'],
      'EC2 network-interface actions for VPC jobs, cloudwatch:PutMetricData (limited to the SageMaker namespace by condition) and ecr:GetAuthorizationToken support no resource-level permissions.');

    const prepareScript = new s3assets.Asset(this, 'PrepareScript', { path: path.resolve(o.prepare.script) });
    const evaluateScript = new s3assets.Asset(this, 'EvaluateScript', { path: path.resolve(o.evaluate.script) });
    // The library's own statistics module (lib/core/python/model_stats.py, shipped in dist/).
    const baselineScript = new s3assets.Asset(this, 'BaselineScript', { path: MODEL_STATS_SCRIPT });
    grantWithKey(this.jobRole, {
      actions: perms.CODE_READ,
      resourceArns: [prepareScript, evaluateScript, baselineScript].map((a) => a.bucket.arnForObjects(a.s3ObjectKey)),
    });

    const runUri = (sub: string) => `States.Format('s3://${bucket.bucketName}/${prefix}runs/{}/${sub}', $.run.id)`;
    // Without VpcConfig ('managed'), network isolation still denies the containers every network call,
    // and SageMaker reads the inputs, writes the outputs and delivers logs and metrics on the server side
    // (AWS re:Post, https://repost.aws/knowledge-center/sagemaker-access-network-isolation).
    const inVpc = props.jobNetwork === 'vpc';
    const vpcConfig = inVpc ? { SecurityGroupIds: [network.securityGroup.securityGroupId], Subnets: network.subnetIds } : undefined;
    const networkConfig = (count: number) => ({
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: count > 1,
      ...(vpcConfig ? { VpcConfig: vpcConfig } : {}),
    });

    // --- states -------------------------------------------------------------------------------
    const init = new sfn.Pass(this, 'Init', {
      parameters: { 'id.$': 'States.UUID()', 'startedAt.$': '$$.Execution.StartTime' },
      resultPath: '$.run',
    });

    // Athena reads an Iceberg table at its current snapshot (and a Hive table's current files), so
    // the export is consistent; globbing the table location would also read superseded snapshots.
    // UNLOAD (Athena user guide): the TO location must be empty, hence one prefix per run id.
    const columns = [sampleId, o.label, ...o.features].map((c) => `"${c}"`).join(', ');
    const exportUri = `s3://${analytics.bucketName}/${exportPrefix}{}/`;
    // An Iceberg source is read at the run's pinned snapshot (Athena user guide, "Perform time travel
    // and version travel queries": FOR VERSION AS OF <bigint snapshot id> after the table name), so a
    // reproduce run reads exactly the rows the original run read.
    const iceberg = sourceTable.format === TableFormat.ICEBERG;
    // A Hive source's data version is the run's export (what Prepare reads, pinned in $.pinned.data),
    // evidenced by a manifest of the table's object versions (lib/training/private/data-manifest.ts).
    const exportKey = `${exportPrefix}{}/`;
    const exportedPrefix = iceberg ? `States.Format('${exportKey}', $.run.id)` : '$.pinned.data.exportKey';
    const exportedUri = iceberg ? `States.Format('${exportUri}', $.run.id)` : '$.pinned.data.export';
    const unload = `UNLOAD (SELECT ${columns} FROM "${sourceTable.databaseName}"."${sourceTable.tableName}"${iceberg ? ' FOR VERSION AS OF {}' : ''}) `
      + `TO \\'${exportUri}\\' WITH (format = \\'TEXTFILE\\', field_delimiter = \\',\\', compression = \\'GZIP\\')`;
    const exportData = new sfn.CustomState(this, 'Export', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::athena:startQueryExecution.sync`,
        TimeoutSeconds: Duration.hours(1).toSeconds(),
        Parameters: {
          'QueryString.$': `States.Format('${unload}', ${iceberg ? '$.pinned.snapshotId, ' : ''}$.run.id)`,
          'WorkGroup': lakehouse.athenaWorkGroupName,
        },
        // GetQueryExecution response (Athena API reference): QueryExecution.QueryExecutionId, .Status.State.
        ResultSelector: { 'QueryExecutionId.$': '$.QueryExecution.QueryExecutionId', 'State.$': '$.QueryExecution.Status.State' },
        ResultPath: '$.export',
      },
    });

    // A table without rows exports no file, and a processing job whose S3 input matches no object
    // fails before the script runs; say so instead.
    const checkExport = new tasks.CallAwsService(this, 'CheckExport', {
      service: 's3',
      action: 'listObjectsV2',
      iamAction: 's3:ListBucket',
      parameters: { 'Bucket': analytics.bucketName, 'Prefix.$': exportedPrefix, 'MaxKeys': 1 },
      iamResources: [analytics.bucketArn],
      // ListObjectsV2 response (S3 API reference): KeyCount is always returned.
      resultSelector: { 'KeyCount.$': '$.KeyCount' },
      resultPath: '$.exported',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
    });
    checkExport.addRetry(retry(RETRY_ERRORS.s3Sdk));
    const noData = new sfn.Fail(this, 'NoTrainingData', {
      error: 'NoTrainingData',
      cause: `${sourceZone}.${sourceTable.tableName} has no rows to train on; load samples and run again.`,
    });

    const prepare = stepSettings(o.prepare);
    const prepareCode = pinnedCode('prepare', CODE_DIR);
    const prepareJob = this.processingJob('Prepare', `${jobPrefix}-p`, prepare, {
      ProcessingInputs: [
        prepareCode.input,
        { InputName: 'data', S3Input: { 'S3Uri.$': exportedUri, 'LocalPath': DATA_DIR, 'S3DataType': 'S3Prefix', 'S3InputMode': 'File', 'S3DataDistributionType': 'FullyReplicated' } },
      ],
      ProcessingOutputConfig: {
        KmsKeyId: key.keyArn,
        Outputs: [{ OutputName: 'prepared', S3Output: { 'S3Uri.$': runUri('prepared/'), 'LocalPath': OUTPUT_DIR, 'S3UploadMode': 'EndOfJob' } }],
      },
      AppSpecification: {
        'ImageUri': trainingImage,
        ...prepareCode.entrypoint,
        'ContainerArguments': [...contract, '--input', DATA_DIR, '--output', OUTPUT_DIR],
      },
      RoleArn: this.jobRole.roleArn,
      NetworkConfig: networkConfig(prepare.instanceCount),
    });

    // Baseline: per-feature statistics of the training split (quantile bins of numeric features,
    // category frequencies of categorical ones, the feature order), which Register records as the
    // version's DriftCheckBaselines and the drift job compares captured data with. It runs the
    // library's model_stats.py in the steps' image (the default sagemaker-xgboost image has numpy and
    // pandas), sized like Prepare, with the same isolation, VPC and KMS settings.
    const baselineCode = pinnedCode('baseline', CODE_DIR);
    const categorical = o.categoricalFeatures ?? [];
    const baselineJob = this.processingJob('Baseline', `${jobPrefix}-b`, prepare, {
      ProcessingInputs: [
        baselineCode.input,
        { InputName: 'train', S3Input: { 'S3Uri.$': runUri('prepared/train/'), 'LocalPath': DATA_DIR, 'S3DataType': 'S3Prefix', 'S3InputMode': 'File', 'S3DataDistributionType': 'FullyReplicated' } },
      ],
      ProcessingOutputConfig: {
        KmsKeyId: key.keyArn,
        Outputs: [{ OutputName: 'baseline', S3Output: { 'S3Uri.$': runUri('baseline/'), 'LocalPath': OUTPUT_DIR, 'S3UploadMode': 'EndOfJob' } }],
      },
      AppSpecification: {
        'ImageUri': trainingImage,
        // The entrypoint is the asset's name in the container (the last segment of its S3 key), see codeInput.
        ...baselineCode.entrypoint,
        'ContainerArguments': [
          'baseline', '--train', DATA_DIR, '--features', o.features.join(','),
          ...(categorical.length ? ['--categorical', categorical.join(',')] : []),
          '--out', OUTPUT_DIR,
        ],
      },
      RoleArn: this.jobRole.roleArn,
      NetworkConfig: networkConfig(prepare.instanceCount),
    });

    const t = o.training ?? {};
    const trainRuntime = t.maxRuntime ?? TRAINING_DEFAULTS.trainingMaxRuntime;
    const spot = t.spot ?? TRAINING_DEFAULTS.spot;
    const maxWait = t.maxWait ?? Duration.seconds(trainRuntime.toSeconds() * TRAINING_DEFAULTS.maxWaitFactor);
    const trainCount = t.instanceCount ?? TRAINING_DEFAULTS.instanceCount;
    const hyperparameters = image.isBuiltInXgboost ? { ...TRAINING_DEFAULTS.xgboostHyperparameters, ...t.hyperparameters } : (t.hyperparameters ?? {});
    const trainJob = new sfn.CustomState(this, 'Train', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::sagemaker:createTrainingJob.sync`,
        TimeoutSeconds: (spot ? maxWait : trainRuntime).plus(Duration.minutes(30)).toSeconds(),
        Parameters: {
          'TrainingJobName.$': `States.Format('${jobPrefix}-t-{}', $.run.id)`,
          'AlgorithmSpecification': { TrainingImage: trainingImage, TrainingInputMode: 'File' },
          'RoleArn': this.jobRole.roleArn,
          'HyperParameters.$': '$.pinned.hyperparameters',
          'InputDataConfig': [{
            ChannelName: 'train',
            // XGBoost algorithm, input/output interface: CSV training needs ContentType text/csv
            // (the default is libsvm), the label in the first column and no header, as prepare writes.
            ContentType: 'text/csv',
            DataSource: { S3DataSource: { 'S3DataType': 'S3Prefix', 'S3Uri.$': runUri('prepared/train/'), 'S3DataDistributionType': 'FullyReplicated' } },
          }],
          'OutputDataConfig': { 'S3OutputPath.$': runUri('model/'), 'KmsKeyId': key.keyArn },
          'ResourceConfig': {
            InstanceType: MlInstanceType.from(t.instanceType ?? TRAINING_DEFAULTS.instanceType).name,
            InstanceCount: trainCount,
            VolumeSizeInGB: (t.volumeSize ?? TRAINING_DEFAULTS.trainingVolume).toGibibytes(),
            VolumeKmsKeyId: key.keyArn,
          },
          'StoppingCondition': spot
            ? { MaxRuntimeInSeconds: trainRuntime.toSeconds(), MaxWaitTimeInSeconds: maxWait.toSeconds() }
            : { MaxRuntimeInSeconds: trainRuntime.toSeconds() },
          'EnableManagedSpotTraining': spot,
          ...(spot ? { CheckpointConfig: { 'S3Uri.$': runUri('checkpoints/'), 'LocalPath': '/opt/ml/checkpoints' } } : {}),
          'EnableNetworkIsolation': true,
          'EnableInterContainerTrafficEncryption': trainCount > 1,
          ...(vpcConfig ? { VpcConfig: vpcConfig } : {}),
        },
        // DescribeTrainingJob response (SageMaker API reference): TrainingJobName, ModelArtifacts.S3ModelArtifacts.
        ResultSelector: { 'JobName.$': '$.TrainingJobName', 'ModelArtifacts.$': '$.ModelArtifacts.S3ModelArtifacts' },
        ResultPath: '$.train',
      },
    });

    const evaluate = stepSettings(o.evaluate);
    const evaluateCode = pinnedCode('evaluate', CODE_DIR);
    const evaluateJob = this.processingJob('Evaluate', `${jobPrefix}-e`, evaluate, {
      ProcessingInputs: [
        evaluateCode.input,
        { InputName: 'model', S3Input: { 'S3Uri.$': '$.train.ModelArtifacts', 'LocalPath': MODEL_DIR, 'S3DataType': 'S3Prefix', 'S3InputMode': 'File' } },
        { InputName: 'test', S3Input: { 'S3Uri.$': runUri('prepared/test/'), 'LocalPath': DATA_DIR, 'S3DataType': 'S3Prefix', 'S3InputMode': 'File' } },
      ],
      ProcessingOutputConfig: {
        KmsKeyId: key.keyArn,
        Outputs: [{ OutputName: 'evaluation', S3Output: { 'S3Uri.$': runUri('evaluation/'), 'LocalPath': OUTPUT_DIR, 'S3UploadMode': 'EndOfJob' } }],
      },
      AppSpecification: {
        'ImageUri': trainingImage,
        ...evaluateCode.entrypoint,
        'ContainerArguments': [...contract, '--model', `${MODEL_DIR}/model.tar.gz`, '--test', DATA_DIR, '--output', OUTPUT_DIR],
      },
      RoleArn: this.jobRole.roleArn,
      NetworkConfig: networkConfig(evaluate.instanceCount),
    });

    const readReport = new tasks.CallAwsService(this, 'ReadEvaluation', {
      service: 's3',
      action: 'getObject',
      iamAction: 's3:GetObject',
      parameters: { 'Bucket': bucket.bucketName, 'Key.$': `States.Format('${prefix}runs/{}/evaluation/evaluation.json', $.run.id)` },
      iamResources: [bucket.arnForObjects(`${prefix}runs/*`)],
      // The aws-sdk GetObject result carries the object as a string in Body.
      resultSelector: { 'report.$': 'States.StringToJson($.Body)' },
      resultPath: '$.evaluation',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
    });
    readReport.addRetry(retry(RETRY_ERRORS.s3Sdk));

    const metricPath = `$.evaluation.report.metrics.${o.evaluate.metric}`;
    const goal = o.evaluate.goal ?? TRAINING_DEFAULTS.goal;
    const passes = goal === MetricGoal.MAXIMIZE
      ? sfn.Condition.numberGreaterThanEquals(metricPath, o.evaluate.threshold)
      : sfn.Condition.numberLessThanEquals(metricPath, o.evaluate.threshold);
    const belowThreshold = new sfn.Fail(this, 'BelowThreshold', {
      error: 'ModelBelowThreshold',
      cause: `${o.evaluate.metric} was missing or did not reach the threshold ${goal === MetricGoal.MAXIMIZE ? '>=' : '<='} ${o.evaluate.threshold}; the model was not registered.`,
    });

    const groupName = registry.modelPackageGroupName(model);
    const trainInstanceType = t.instanceType ?? TRAINING_DEFAULTS.instanceType;
    const instanceTypes = `prepare=${prepare.instanceType} train=${trainInstanceType} evaluate=${evaluate.instanceType}`;
    const lineage = lineageStates(this, {
      bucketName: bucket.bucketName,
      prefix,
      jobPrefix,
      table: `${sourceTable.databaseName}.${sourceTable.tableName}`,
      environment: {
        prepare: { instanceType: prepare.instanceType, instanceCount: prepare.instanceCount, volumeGiB: prepare.volumeGiB },
        train: { instanceType: trainInstanceType, instanceCount: trainCount, spot, maxRuntimeSeconds: trainRuntime.toSeconds() },
        evaluate: { instanceType: evaluate.instanceType, instanceCount: evaluate.instanceCount, volumeGiB: evaluate.volumeGiB },
        features: o.features,
        label: o.label,
        sampleId,
      },
      metric: o.evaluate.metric,
      metricPath,
      runUri,
      dataManifest: !iceberg,
    });
    // A custom state rather than CallAwsService: that task would add its own, unconditioned
    // CreateModelPackage statement, and the registry's approval gate (grantRegister: only with
    // PendingManualApproval) must be the orchestrator's only way to register.
    const register = new sfn.CustomState(this, 'Register', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::aws-sdk:sagemaker:createModelPackage`,
        TimeoutSeconds: Duration.minutes(2).toSeconds(),
        Parameters: {
          'ModelPackageGroupName': groupName,
          'ModelApprovalStatus': REGISTRATION_APPROVAL_STATUS,
          'ModelPackageDescription.$': `States.Format('Run {}: ${o.evaluate.metric} = {}', $.run.id, ${metricPath})`,
          'InferenceSpecification': {
            Containers: [{ 'Image': inferenceImage, 'ModelDataUrl.$': '$.train.ModelArtifacts' }],
            // The data contract: the endpoint takes CSV rows of the features, in order, without the label.
            SupportedContentTypes: ['text/csv'],
            SupportedResponseMIMETypes: ['text/csv'],
          },
          'ModelMetrics': {
            ModelQuality: { Statistics: { 'ContentType': 'application/json', 'S3Uri.$': runUri('evaluation/evaluation.json') } },
          },
          // The drift job's reference, served together with the version (CreateModelPackage,
          // SageMaker API reference: DriftCheckBaselines.ModelDataQuality.Statistics is a MetricsSource,
          // ContentType and S3Uri required). The drift job reads it back with DescribeModelPackage.
          'DriftCheckBaselines': {
            ModelDataQuality: { Statistics: { 'ContentType': 'application/json', 'S3Uri.$': runUri('baseline/baseline.json') } },
          },
          'CustomerMetadataProperties': {
            'run-id.$': '$.run.id',
            'training-job.$': '$.train.JobName',
            'export-query.$': '$.export.QueryExecutionId',
            'metric': o.evaluate.metric,
            // The input contract travels with the version: CSV rows of these features, in this order,
            // separated by single spaces. Metadata values hold at most 256 characters of the pattern
            // ^([\p{L}\p{Z}\p{N}_.:\/=+\-@]*)$ (SageMaker API reference, CreateModelPackage,
            // CustomerMetadataProperties): a comma would be refused, a space is a \p{Z}; longer lists are validated away at synth.
            'features': o.features.join(' '),
            'metric-value.$': `States.Format('{}', ${metricPath})`,
            'baseline.$': runUri('baseline/baseline.json'),
            // Reproducibility (issue 19): what the version came from, each value within the limits
            // above; the full record is the lineage document (its key in this bucket).
            'lineage.$': lineage.documentKey,
            'lineage-schema': LINEAGE_SCHEMA,
            'data-table': `${sourceTable.databaseName}.${sourceTable.tableName}`,
            'data-snapshot.$': '$.pinned.snapshotId',
            // A Hive source's data version: the export the run read and the object-version manifest.
            ...(iceberg ? {} : {
              'data-export.$': '$.pinned.data.export',
              'data-manifest.$': '$.pinned.data.manifest',
              'data-manifest-pages.$': 'States.Format(\'{}\', $.pinned.data.manifestPages)',
            }),
            ...Object.fromEntries(SCRIPT_ROLES.map((r) => [`code-${r}.$`, `$.pinned.code.${r}.uri`])),
            'image.$': '$.pinned.image',
            'hyperparameters.$': '$.pinned.hyperparametersText',
            'instance-types': instanceTypes,
            'trigger.$': '$.trigger',
            'execution.$': '$$.Execution.Id',
            'reproduces.$': '$.pinned.reproduces',
          },
        },
        // CreateModelPackage response (SageMaker API reference): ModelPackageArn.
        ResultSelector: { 'ModelPackageArn.$': '$.ModelPackageArn' },
        ResultPath: '$.registered',
      },
    });
    register.addRetry(retry(RETRY_ERRORS.sagemakerSdk));

    // Experiments (issue 19): with the registry's MLflow tracking server, every evaluated run is
    // logged there (lib/training/private/mlflow-logging.ts); without it, nothing MLflow-related exists.
    const mlflow = registry instanceof ModelRegistry && registry.trackingServerArn
      ? new MlflowLogging(this, 'Mlflow', {
        registry,
        model,
        groupName,
        bucket,
        prefix,
        logKey: lakehouse.encryptionKey,
        removalPolicy: props.removalPolicy,
        alertTopic: props.alertTopic,
        metric: o.evaluate.metric,
        runUri,
        params: { 'data.table': `${sourceTable.databaseName}.${sourceTable.tableName}`, 'instance-types': instanceTypes },
        dataManifest: !iceberg,
      })
      : undefined;

    const failed = new sfn.Fail(this, 'StepFailed', { error: 'RetrainingStepFailed', causePath: '$.error.Cause' });
    // A step that fails after the run was logged ends its MLflow run FAILED first.
    const failedAfterLogging = mlflow ? mlflow.endRun('', 'FAILED', failed) : failed;
    exportData.addRetry(retry(RETRY_ERRORS.athena));
    for (const s of [prepareJob, baselineJob, trainJob, evaluateJob]) s.addRetry(retry(RETRY_ERRORS.sagemakerJob));
    for (const s of [exportData, prepareJob, baselineJob, trainJob, evaluateJob]) s.addCatch(failed, { resultPath: '$.error' });
    for (const s of [checkExport, readReport]) s.addCatch(failed, { resultPath: '$.error' });
    for (const s of [register, lineage.writeDocument[1], ...lineage.record]) s.addCatch(failedAfterLogging, { resultPath: '$.error' });

    // Write the lineage document, register (pointing to it), then record the lineage entities.
    let registration = sfn.Chain.start(lineage.writeDocument[0]).next(lineage.writeDocument[1]).next(register);
    for (const s of lineage.record) registration = registration.next(s);
    const registered = new sfn.Succeed(this, 'Registered');
    const gate = new sfn.Choice(this, 'MetricPasses?')
      .when(sfn.Condition.and(sfn.Condition.isPresent(metricPath), sfn.Condition.isNumeric(metricPath), passes),
        registration.next(mlflow ? mlflow.finishRun(registered) : registered))
      // A gated run's MLflow run ends KILLED: evaluated, not registered.
      .otherwise(mlflow ? mlflow.endRun(' (gated)', 'KILLED', belowThreshold) : belowThreshold);
    const hasData = new sfn.Choice(this, 'HasData?')
      .when(sfn.Condition.numberGreaterThan('$.exported.KeyCount', 0),
        prepareJob.next(baselineJob).next(trainJob).next(evaluateJob).next(readReport).next(mlflow ? mlflow.startRun(gate) : gate));
    // A Hive reproduce run reads its recorded export; when that has no objects, say so (not NoTrainingData).
    if (!iceberg) hasData.when(sfn.Condition.not(sfn.Condition.stringEquals('$.pinned.reproduces', NOT_REPRODUCED)), recordedDataGone(this));
    hasData.otherwise(noData);

    // What a fresh run pins: the deployed scripts (asset keys are content hashes), images and
    // hyperparameters, and the table's current snapshot; a reproduce run pins the recorded ones.
    const code = Object.fromEntries(([['prepare', prepareScript], ['baseline', baselineScript], ['evaluate', evaluateScript]] as const)
      .map(([role, asset]) => [role, { uri: asset.s3ObjectUrl, entrypoint: codeInput(asset).path }])) as Record<'prepare' | 'baseline' | 'evaluate', { uri: string; entrypoint: string }>;
    const pin = pinStates(this, {
      bucketName: bucket.bucketName,
      prefix,
      packageArnPrefix: stack.formatArn({ service: 'sagemaker', resource: 'model-package', resourceName: `${groupName.toLowerCase()}/` }),
      code,
      image: trainingImage,
      inferenceImage,
      hyperparameters,
      hyperparametersText: metadataText(hyperparameters, 'see-lineage-document'),
      iceberg: iceberg ? { database: sourceTable.databaseName, table: sourceTable.tableName, workGroup: lakehouse.athenaWorkGroupName } : undefined,
      noData,
      failed,
      hive: iceberg ? undefined : {
        fresh: dataManifestStates(this, {
          bucketName: bucket.bucketName,
          prefix,
          table: `${sourceTable.databaseName}.${sourceTable.tableName}`,
          tableBucketName: sourceBucket.bucketName,
          tablePrefix,
          exportUri,
          exportKey,
          failed,
        }, exportData),
        recorded: recordedExportState(this).next(checkExport),
      },
    }, exportData.next(checkExport).next(hasData));
    const definition = init.next(pin);
    const logGroup = createLogGroup(this, 'Logs', { key: lakehouse.encryptionKey, removalPolicy: props.removalPolicy });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: o.runTimeout ?? TRAINING_DEFAULTS.runTimeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `Retraining of ${model}: export -> prepare -> baseline -> train -> evaluate -> register`,
    });

    // --- what the orchestrator may do ---------------------------------------------------------------
    const role = this.stateMachine.role;
    // Export: run the query in the lakehouse workgroup (and write its results), read the source
    // table through the catalog and Lake Formation (SELECT), write the export with the lakehouse key.
    lakehouse.grantQuery(role);
    lakehouse.grantRead(role, sourceZone);
    grantWithKey(role, { actions: perms.EXPORT_WRITE, resourceArns: [exportObjects], key: lakehouse.encryptionKey, keyActions: perms.EXPORT_KEY_WRITE });
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: perms.PROCESSING_RUN,
      resources: [`${jobPrefix}-p-*`, `${jobPrefix}-b-*`, `${jobPrefix}-e-*`].map((n) => stack.formatArn({ service: 'sagemaker', resource: 'processing-job', resourceName: n })),
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: perms.TRAINING_RUN,
      resources: [stack.formatArn({ service: 'sagemaker', resource: 'training-job', resourceName: `${jobPrefix}-t-*` })],
    }));
    const syncRules = ['StepFunctionsGetEventsForSageMakerProcessingJobsRule', 'StepFunctionsGetEventsForSageMakerTrainingJobsRule']
      .map((r) => stack.formatArn({ service: 'events', resource: 'rule', resourceName: r }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: perms.SYNC_RULES, resources: syncRules }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [this.jobRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }));
    key.grant(role, 'kms:Decrypt'); // reading the SSE-KMS evaluation report
    if (!iceberg) {
      // ListObjectVersions needs s3:ListBucketVersions on the bucket (S3 API reference, ListObjectVersions:
      // "you must have permission to perform the s3:ListBucketVersions action. Be aware of the name difference").
      role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: perms.TABLE_VERSIONS_LIST, resources: [sourceBucket.bucketArn] }));
    }
    // Lineage (issue 19): write the run's document; read a recorded version and its document to reproduce it;
    // create the run's context, its artifacts and their associations.
    grantWithKey(role, { actions: perms.LINEAGE_DOCUMENT_WRITE, resourceArns: [bucket.arnForObjects(`${prefix}runs/*`)], key, keyActions: perms.LINEAGE_DOCUMENT_KEY });
    registry.grantRead(role, model);
    const contexts = stack.formatArn({ service: 'sagemaker', resource: 'context', resourceName: `${jobPrefix}-run-*` });
    const artifacts = stack.formatArn({ service: 'sagemaker', resource: 'artifact', resourceName: '*' });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: perms.LINEAGE_CONTEXT, resources: [contexts] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: perms.LINEAGE_ARTIFACT, resources: [artifacts] }));
    registry.grantRegister(this.stateMachine, model);
    mlflow?.acknowledgeOrchestrator(role);
    acknowledgeWildcardResources(role, ['*'], 'Step Functions log delivery and X-Ray tracing APIs support no resource-level permissions.');
    acknowledgeWildcardResources(role, [
      ...[`${jobPrefix}-p-*`, `${jobPrefix}-b-*`, `${jobPrefix}-e-*`].map((n) => stack.formatArn({ service: 'sagemaker', resource: 'processing-job', resourceName: n })),
      stack.formatArn({ service: 'sagemaker', resource: 'training-job', resourceName: `${jobPrefix}-t-*` }),
      stack.formatArn({ service: 'sagemaker', resource: 'model-package', resourceName: `${groupName}/*` }),
      bucket.arnForObjects(`${prefix}runs/*`),
      exportObjects,
    ], 'Job, package and export names carry a per-run UUID; the pattern is scoped to this model\'s prefix.');
    acknowledgeWildcardResources(role, [contexts, artifacts],
      'Each run creates a context named <model>-run-<run UUID> and artifacts whose ARNs SageMaker generates (CreateArtifact takes no name here).');
  }

  private processingJob(id: string, namePrefix: string, s: StepSettings, body: Record<string, unknown>): sfn.CustomState {
    const stack = Stack.of(this);
    return new sfn.CustomState(this, id, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::sagemaker:createProcessingJob.sync`,
        TimeoutSeconds: s.maxRuntime.plus(Duration.minutes(30)).toSeconds(),
        Parameters: {
          'ProcessingJobName.$': `States.Format('${namePrefix}-{}', $.run.id)`,
          'ProcessingResources': {
            ClusterConfig: {
              InstanceType: s.instanceType,
              InstanceCount: s.instanceCount,
              VolumeSizeInGB: s.volumeGiB,
              VolumeKmsKeyId: (body.ProcessingOutputConfig as { KmsKeyId: string }).KmsKeyId,
            },
          },
          'StoppingCondition': { MaxRuntimeInSeconds: s.maxRuntime.toSeconds() },
          ...body,
        },
        // DescribeProcessingJob response (SageMaker API reference): ProcessingJobName, ProcessingJobStatus.
        ResultSelector: { 'JobName.$': '$.ProcessingJobName', 'Status.$': '$.ProcessingJobStatus' },
        ResultPath: `$.${id.toLowerCase()}`,
      },
    });
  }
}

