import * as path from 'path';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { createLogGroup } from '../../core/encryption';
import { grantWithKey } from '../../core/grants';
import { acknowledgeWildcardResources } from '../../core/nag';
import { IDataLakehouse } from '../../lakehouse/data-lakehouse';
import { IModelRegistry } from '../../registry/model-registry';
import { REGISTRATION_APPROVAL_STATUS } from '../../registry/model-registry-props';
import * as perms from '../perms';
import { ManagedTrainingOptions, MetricGoal, ProcessingStepOptions, TRAINING_DEFAULTS } from '../training-cluster-props';
import { TrainingNetwork } from './network';


const CODE_DIR = '/opt/ml/processing/input/code';
const DATA_DIR = '/opt/ml/processing/input/data';
const MODEL_DIR = '/opt/ml/processing/input/model';
const OUTPUT_DIR = '/opt/ml/processing/output';

/** Errors worth retrying on SageMaker and S3 calls. */
const TRANSIENT = ['SageMaker.ThrottlingException', 'SageMaker.InternalFailure', 'SageMaker.ServiceUnavailable', 'SageMaker.ResourceLimitExceeded', 'S3.SlowDownException'];
const RETRY: sfn.RetryProps = {
  errors: TRANSIENT,
  interval: Duration.seconds(30),
  backoffRate: 2,
  maxAttempts: 4,
  maxDelay: Duration.minutes(10),
  jitterStrategy: sfn.JitterType.FULL,
};

/** Props of {@link ManagedEngine}. */
export interface ManagedEngineProps {
  readonly lakehouse: IDataLakehouse;
  readonly registry: IModelRegistry;
  readonly model: string;
  readonly network: TrainingNetwork;
  readonly options: ManagedTrainingOptions;
  readonly removalPolicy: RemovalPolicy;
}

interface StepSettings {
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly volumeGiB: number;
  readonly maxRuntime: Duration;
}

function stepSettings(o: ProcessingStepOptions): StepSettings {
  return {
    instanceType: o.instanceType ?? TRAINING_DEFAULTS.instanceType,
    instanceCount: o.instanceCount ?? TRAINING_DEFAULTS.instanceCount,
    volumeGiB: (o.volumeSize ?? TRAINING_DEFAULTS.processingVolume).toGibibytes(),
    maxRuntime: o.maxRuntime ?? TRAINING_DEFAULTS.processingMaxRuntime,
  };
}

/**
 * The managed retraining workflow: prepare (processing job) -> train (training job on spot, with
 * checkpoints) -> evaluate (processing job writing evaluation.json) -> gate on the metric ->
 * register a PendingManualApproval model package with its metrics. Every job runs in private
 * subnets with network isolation and KMS-encrypted volumes and outputs.
 */
export class ManagedEngine extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly jobRole: iam.Role;

  constructor(scope: Construct, id: string, props: ManagedEngineProps) {
    super(scope, id);
    const { registry, model, network, options: o } = props;
    const stack = Stack.of(this);
    const key = registry.encryptionKey;
    const bucket = registry.artifactBucket;
    const prefix = registry.artifactPrefix(model);
    const sourceZone = o.source.zone ?? TRAINING_DEFAULTS.sourceZone;
    const sourceTable = props.lakehouse.findTable(sourceZone, o.source.table)!;
    const jobPrefix = model.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 20);

    // --- the role every job runs as -----------------------------------------------------------
    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `SageMaker jobs of the ${model} retraining workflow`,
    });
    props.lakehouse.grantRead(sourceZone, this.jobRole);
    registry.grantPull(this.jobRole);
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
    acknowledgeWildcardResources(this.jobRole, [runObjects], 'Jobs read and write the objects of their own run under the model\'s artifact prefix.');
    acknowledgeWildcardResources(this.jobRole, [sagemakerLogs], 'SageMaker writes one log stream per job into /aws/sagemaker/ log groups.');
    acknowledgeWildcardResources(this.jobRole, ['*'],
      'EC2 network-interface actions for VPC jobs and cloudwatch:PutMetricData support no resource-level permissions (metrics are limited to the SageMaker namespace by condition).');

    const prepareScript = new s3assets.Asset(this, 'PrepareScript', { path: path.resolve(o.prepare.script) });
    const evaluateScript = new s3assets.Asset(this, 'EvaluateScript', { path: path.resolve(o.evaluate.script) });
    grantWithKey(this.jobRole, {
      actions: perms.CODE_READ,
      resourceArns: [prepareScript, evaluateScript].map((a) => a.bucket.arnForObjects(a.s3ObjectKey)),
    });

    const trainingImage = registry.trainingRepository.repositoryUriForTag(o.imageTag);
    const inferenceImage = registry.inferenceRepository.repositoryUriForTag(o.inferenceImageTag ?? o.imageTag);
    const runUri = (sub: string) => `States.Format('s3://${bucket.bucketName}/${prefix}runs/{}/${sub}', $.run.id)`;
    const vpcConfig = { SecurityGroupIds: [network.securityGroup.securityGroupId], Subnets: network.subnetIds };
    const networkConfig = (count: number) => ({
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: count > 1,
      VpcConfig: vpcConfig,
    });

    // --- states -------------------------------------------------------------------------------
    const init = new sfn.Pass(this, 'Init', {
      parameters: { 'id.$': 'States.UUID()', 'startedAt.$': '$$.Execution.StartTime' },
      resultPath: '$.run',
    });

    const prepare = stepSettings(o.prepare);
    const prepareJob = this.processingJob('Prepare', `${jobPrefix}-p`, prepare, {
      ProcessingInputs: [
        codeInput(prepareScript),
        { InputName: 'data', S3Input: { S3Uri: sourceTable.location, LocalPath: DATA_DIR, S3DataType: 'S3Prefix', S3InputMode: 'File', S3DataDistributionType: 'FullyReplicated' } },
      ],
      ProcessingOutputConfig: {
        KmsKeyId: key.keyArn,
        Outputs: [{ OutputName: 'prepared', S3Output: { 'S3Uri.$': runUri('prepared/'), LocalPath: OUTPUT_DIR, S3UploadMode: 'EndOfJob' } }],
      },
      AppSpecification: { ImageUri: trainingImage, ContainerEntrypoint: ['python3', `${CODE_DIR}/${path.basename(o.prepare.script)}`] },
      RoleArn: this.jobRole.roleArn,
      NetworkConfig: networkConfig(prepare.instanceCount),
    });

    const t = o.training ?? {};
    const trainRuntime = t.maxRuntime ?? TRAINING_DEFAULTS.trainingMaxRuntime;
    const spot = t.spot ?? TRAINING_DEFAULTS.spot;
    const maxWait = t.maxWait ?? Duration.seconds(trainRuntime.toSeconds() * TRAINING_DEFAULTS.maxWaitFactor);
    const trainCount = t.instanceCount ?? TRAINING_DEFAULTS.instanceCount;
    const trainJob = new sfn.CustomState(this, 'Train', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::sagemaker:createTrainingJob.sync`,
        TimeoutSeconds: (spot ? maxWait : trainRuntime).plus(Duration.minutes(30)).toSeconds(),
        Parameters: {
          'TrainingJobName.$': `States.Format('${jobPrefix}-t-{}', $.run.id)`,
          'AlgorithmSpecification': { TrainingImage: trainingImage, TrainingInputMode: 'File' },
          'RoleArn': this.jobRole.roleArn,
          'HyperParameters': t.hyperparameters ?? {},
          'InputDataConfig': [{
            ChannelName: 'train',
            DataSource: { S3DataSource: { 'S3DataType': 'S3Prefix', 'S3Uri.$': runUri('prepared/train/'), 'S3DataDistributionType': 'FullyReplicated' } },
          }],
          'OutputDataConfig': { 'S3OutputPath.$': runUri('model/'), 'KmsKeyId': key.keyArn },
          'ResourceConfig': {
            InstanceType: t.instanceType ?? TRAINING_DEFAULTS.instanceType,
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
          'VpcConfig': vpcConfig,
        },
        ResultSelector: { 'JobName.$': '$.TrainingJobName', 'ModelArtifacts.$': '$.ModelArtifacts.S3ModelArtifacts' },
        ResultPath: '$.train',
      },
    });

    const evaluate = stepSettings(o.evaluate);
    const evaluateJob = this.processingJob('Evaluate', `${jobPrefix}-e`, evaluate, {
      ProcessingInputs: [
        codeInput(evaluateScript),
        { InputName: 'model', S3Input: { 'S3Uri.$': '$.train.ModelArtifacts', 'LocalPath': MODEL_DIR, 'S3DataType': 'S3Prefix', 'S3InputMode': 'File' } },
        { InputName: 'test', S3Input: { 'S3Uri.$': runUri('prepared/test/'), 'LocalPath': DATA_DIR, 'S3DataType': 'S3Prefix', 'S3InputMode': 'File' } },
      ],
      ProcessingOutputConfig: {
        KmsKeyId: key.keyArn,
        Outputs: [{ OutputName: 'evaluation', S3Output: { 'S3Uri.$': runUri('evaluation/'), 'LocalPath': OUTPUT_DIR, 'S3UploadMode': 'EndOfJob' } }],
      },
      AppSpecification: { ImageUri: trainingImage, ContainerEntrypoint: ['python3', `${CODE_DIR}/${path.basename(o.evaluate.script)}`] },
      RoleArn: this.jobRole.roleArn,
      NetworkConfig: networkConfig(evaluate.instanceCount),
    });

    const readReport = new tasks.CallAwsService(this, 'ReadEvaluation', {
      service: 's3',
      action: 'getObject',
      iamAction: 's3:GetObject',
      parameters: { 'Bucket': bucket.bucketName, 'Key.$': `States.Format('${prefix}runs/{}/evaluation/evaluation.json', $.run.id)` },
      iamResources: [bucket.arnForObjects(`${prefix}runs/*`)],
      resultSelector: { 'report.$': 'States.StringToJson($.Body)' },
      resultPath: '$.evaluation',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
    });
    readReport.addRetry(RETRY);

    const metricPath = `$.evaluation.report.metrics.${o.evaluate.metric}`;
    const goal = o.evaluate.goal ?? TRAINING_DEFAULTS.goal;
    const passes = goal === MetricGoal.MAXIMIZE
      ? sfn.Condition.numberGreaterThanEquals(metricPath, o.evaluate.threshold)
      : sfn.Condition.numberLessThanEquals(metricPath, o.evaluate.threshold);
    const belowThreshold = new sfn.Fail(this, 'BelowThreshold', {
      error: 'ModelBelowThreshold',
      cause: `${o.evaluate.metric} did not reach the threshold ${goal === MetricGoal.MAXIMIZE ? '>=' : '<='} ${o.evaluate.threshold}; the model was not registered.`,
    });

    const groupName = registry.modelPackageGroupName(model);
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
            SupportedContentTypes: ['text/csv', 'application/json'],
            SupportedResponseMIMETypes: ['text/csv', 'application/json'],
          },
          'ModelMetrics': {
            ModelQuality: { Statistics: { 'ContentType': 'application/json', 'S3Uri.$': runUri('evaluation/evaluation.json') } },
          },
          'CustomerMetadataProperties': {
            'run-id.$': '$.run.id',
            'training-job.$': '$.train.JobName',
            'metric': o.evaluate.metric,
            'metric-value.$': `States.Format('{}', ${metricPath})`,
          },
        },
        ResultSelector: { 'ModelPackageArn.$': '$.ModelPackageArn' },
        ResultPath: '$.registered',
      },
    });
    register.addRetry(RETRY);

    const failed = new sfn.Fail(this, 'StepFailed', { error: 'RetrainingStepFailed', causePath: '$.error.Cause' });
    for (const s of [prepareJob, trainJob, evaluateJob]) {
      s.addRetry(RETRY);
      s.addCatch(failed, { resultPath: '$.error' });
    }
    readReport.addCatch(failed, { resultPath: '$.error' });
    register.addCatch(failed, { resultPath: '$.error' });

    const gate = new sfn.Choice(this, 'MetricPasses?')
      .when(sfn.Condition.and(sfn.Condition.isPresent(metricPath), sfn.Condition.isNumeric(metricPath), passes),
        register.next(new sfn.Succeed(this, 'Registered')))
      .otherwise(belowThreshold);

    const definition = init.next(prepareJob).next(trainJob).next(evaluateJob).next(readReport).next(gate);
    const logGroup = createLogGroup(this, 'Logs', { key: props.lakehouse.encryptionKey, removalPolicy: props.removalPolicy });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: o.runTimeout ?? TRAINING_DEFAULTS.runTimeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `Retraining of ${model}: prepare -> train -> evaluate -> register`,
    });

    // --- what the orchestrator may do ---------------------------------------------------------------
    const role = this.stateMachine.role;
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: perms.PROCESSING_RUN,
      resources: [`${jobPrefix}-p-*`, `${jobPrefix}-e-*`].map((n) => stack.formatArn({ service: 'sagemaker', resource: 'processing-job', resourceName: n })),
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
    registry.grantRegister(this.stateMachine, model);
    acknowledgeWildcardResources(role, ['*'], 'Step Functions log delivery and X-Ray tracing APIs support no resource-level permissions.');
    acknowledgeWildcardResources(role, [
      ...[`${jobPrefix}-p-*`, `${jobPrefix}-e-*`].map((n) => stack.formatArn({ service: 'sagemaker', resource: 'processing-job', resourceName: n })),
      stack.formatArn({ service: 'sagemaker', resource: 'training-job', resourceName: `${jobPrefix}-t-*` }),
      stack.formatArn({ service: 'sagemaker', resource: 'model-package', resourceName: `${groupName}/*` }),
      bucket.arnForObjects(`${prefix}runs/*`),
    ], 'Job and package names carry a per-run UUID; the pattern is scoped to this model\'s prefix.');
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
        ResultSelector: { 'JobName.$': '$.ProcessingJobName', 'Status.$': '$.ProcessingJobStatus' },
        ResultPath: `$.${id.toLowerCase()}`,
      },
    });
  }
}

function codeInput(asset: s3assets.Asset): Record<string, unknown> {
  return { InputName: 'code', S3Input: { S3Uri: asset.s3ObjectUrl, LocalPath: CODE_DIR, S3DataType: 'S3Prefix', S3InputMode: 'File' } };
}
