import * as path from 'path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { createLogGroup } from '../../core/encryption';
import { grantWithKey } from '../../core/grants';
import { acknowledgeWildcardResources } from '../../core/nag';
import { ModelRegistry } from '../../registry/model-registry';
import { REGISTRY_DEFAULTS } from '../../registry/model-registry-props';
import { PINNED, SCRIPT_ROLES } from './lineage';
import { RETRY_ERRORS, retry } from './steps';

/** The handler's directory (it holds only index.js; `npm run build` copies it into dist/). */
export const MLFLOW_LOGGER_DIR = path.join(__dirname, 'mlflow-logger');

/** Where the logger's results live in the execution state. */
export const MLFLOW = '$.mlflow';
/** The MLflow run's ids and artifact location (the handler's `start` result). */
export const MLFLOW_RUN = `${MLFLOW}.run`;

/** Options of {@link MlflowLogging}. */
export interface MlflowLoggingOptions {
  /** A registry with a tracking server (`mlflow.enabled`). */
  readonly registry: ModelRegistry;
  readonly model: string;
  /** The model package group: the experiment is named after it. */
  readonly groupName: string;
  readonly bucket: s3.IBucket;
  /** The model's artifact prefix, ending in '/'. */
  readonly prefix: string;
  /** Key of the function's log group. */
  readonly logKey: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly alertTopic: sns.ITopic;
  /** The evaluation metric's name. */
  readonly metric: string;
  /** `States.Format` expression of an S3 URI under the run prefix. */
  readonly runUri: (sub: string) => string;
  /** Facts logged as params (instance types, the source table). */
  readonly params: Record<string, string>;
  /**
   * Whether the run pins `$.pinned.data` (a non-Iceberg source: the object-version manifest and the
   * export the run read), logged as data params next to the snapshot.
   */
  readonly dataManifest: boolean;
}

/**
 * Logs every evaluated run to the registry's MLflow tracking server (issue 19, "Experiments"):
 * a Lambda function (lib/training/private/mlflow-logger, plain JavaScript, SigV4-signed MLflow REST
 * calls) and the states that call it. A logging failure never fails the run or the registration: each
 * state catches every error, publishes an alert to the training topic and continues.
 *
 * The function runs outside the VPC, like the library's other functions: the managed server is
 * reached at its regional HTTPS endpoint with IAM (SigV4) authorization; SageMaker also offers
 * interface VPC endpoints for MLflow ("Create a VPC Endpoint Policy for SageMaker AI MLflow",
 * https://docs.aws.amazon.com/sagemaker/latest/dg/mlflow-private-link-policy.html), which a
 * private-network deployment would add together with a VPC placement of the function.
 */
export class MlflowLogging extends Construct {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  private readonly o: MlflowLoggingOptions;

  constructor(scope: Construct, id: string, o: MlflowLoggingOptions) {
    super(scope, id);
    this.o = o;
    const logs = createLogGroup(this, 'Logs', { key: o.logKey, removalPolicy: o.removalPolicy });
    // An own role instead of the AWSLambdaBasicExecutionRole managed policy: its log group, the tracking server.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Logs the ${o.model} retraining runs to the MLflow tracking server`,
    });
    grantWithKey(this.role, { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resourceArns: [logs.logGroupArn] });
    acknowledgeWildcardResources(this.role, [logs.logGroupArn], 'Log group ARNs end in ":*" to cover their log streams.');
    o.registry.grantTracking(this.role);
    this.function = new lambda.Function(this, 'Resource', {
      role: this.role,
      // Plain JavaScript without dependencies: no bundling, the asset is the handler's directory.
      code: lambda.Code.fromAsset(MLFLOW_LOGGER_DIR),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.minutes(1),
      memorySize: 256,
      logGroup: logs,
      description: `Logs the ${o.model} retraining runs to MLflow`,
      environment: { TRACKING_SERVER_ARN: o.registry.trackingServerArn! },
    });
  }

  /** After Evaluate (passing the gate or not): create the run and log params, metrics and tags into `$.mlflow`. */
  public startRun(next: sfn.IChainable): sfn.IChainable {
    const o = this.o;
    const start = this.invoke('Log run to MLflow', {
      'action': 'start',
      'experimentName': o.groupName,
      'runName.$': '$.run.id',
      // The whole report: a missing metric path in a payload would end the run with States.Runtime.
      'evaluation.$': '$.evaluation.report',
      'params': {
        ...o.params,
        'hyperparameters.$': `${PINNED}.hyperparameters`,
        'data': {
          'snapshot.$': `${PINNED}.snapshotId`,
          ...(o.dataManifest ? { 'export.$': `${PINNED}.data.export`, 'manifest.$': `${PINNED}.data.manifest`, 'manifestPages.$': `${PINNED}.data.manifestPages` } : {}),
        },
        'code': Object.fromEntries(SCRIPT_ROLES.map((r) => [`${r}.$`, `${PINNED}.code.${r}.uri`])),
        'image.$': `${PINNED}.image`,
        'inferenceImage.$': `${PINNED}.inferenceImage`,
        'trigger.$': '$.trigger',
      },
      'tags': {
        'metric': o.metric,
        'execution.$': '$$.Execution.Id',
        'reproduces.$': `${PINNED}.reproduces`,
        'lineage.$': o.runUri('lineage.json'),
      },
    // The handler returns runId, experimentId, artifactUri, artifactBucket and artifactKeyPrefix, or throws.
    }, MLFLOW, { 'run.$': '$.Payload' });
    return this.guarded(start, 'could not be logged to MLflow', next);
  }

  /**
   * After Register: copy the evaluation report and the lineage document into the run's artifacts,
   * tag the registered version and end the run FINISHED. Skipped when the run was not logged.
   */
  public finishRun(next: sfn.IChainable): sfn.IChainable {
    const o = this.o;
    const objects = o.bucket.arnForObjects(`${REGISTRY_DEFAULTS.mlflowPrefix}*`);
    // CopyObject (S3 API reference, https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html):
    // Bucket and Key of the destination; CopySource is "the name of the source bucket and the key of
    // the source object, separated by a slash (/) ... The value must be URL-encoded" (run keys hold
    // only [0-9a-z/-.], which encoding leaves as they are). The destination's default encryption (the
    // registry's SSE-KMS key) applies.
    const copy = (id: string, sub: string, file: string) => {
      const task = new tasks.CallAwsService(this, id, {
        service: 's3',
        action: 'copyObject',
        iamAction: 's3:PutObject',
        iamResources: [objects],
        additionalIamStatements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [o.bucket.arnForObjects(`${o.prefix}runs/*`)] })],
        parameters: {
          'Bucket': sfn.JsonPath.stringAt(`${MLFLOW_RUN}.artifactBucket`),
          'Key': sfn.JsonPath.format(`{}${file}`, sfn.JsonPath.stringAt(`${MLFLOW_RUN}.artifactKeyPrefix`)),
          'CopySource': sfn.JsonPath.format(`${o.bucket.bucketName}/${o.prefix}runs/{}/${sub}`, sfn.JsonPath.stringAt('$.run.id')),
        },
        resultPath: sfn.JsonPath.DISCARD,
        taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
      });
      task.addRetry(retry(RETRY_ERRORS.s3Sdk));
      return task;
    };
    const report = copy('Copy evaluation to MLflow', 'evaluation/evaluation.json', 'evaluation.json');
    const lineage = copy('Copy lineage to MLflow', 'lineage.json', 'lineage.json');
    const finish = this.invoke('End MLflow run', {
      'action': 'finish',
      'runId.$': `${MLFLOW_RUN}.runId`,
      'status': 'FINISHED',
      'tags': {
        'model-package-arn.$': '$.registered.ModelPackageArn',
        // The version is the last segment of the package ARN (model-package/<group>/<version>).
        'model-package-version.$': 'States.ArrayGetItem(States.StringSplit($.registered.ModelPackageArn, \'/\'), 2)',
      },
    }, sfn.JsonPath.DISCARD);
    const alert = this.alert('Registered run not fully logged to MLflow',
      'was registered, but its MLflow run was not completed (artifacts, version tag or status)', `${MLFLOW}.error`, next);
    for (const s of [report, lineage, finish]) s.addCatch(alert, { errors: ['States.ALL'], resultPath: `${MLFLOW}.error` });
    report.next(lineage).next(finish).next(next);
    return this.ifLogged('Logged to MLflow?', report, next);
  }

  /** Before a failure or the gate's refusal: end the run with `status` (FAILED or KILLED), then `next`. */
  public endRun(id: string, status: 'FAILED' | 'KILLED', next: sfn.IChainable): sfn.IChainable {
    const end = this.invoke(`End MLflow run ${status}${id}`, { 'action': 'finish', 'runId.$': `${MLFLOW_RUN}.runId`, status }, sfn.JsonPath.DISCARD);
    // The run ends failed anyway (and the training alert rule reports it): no second alert.
    end.addCatch(next, { errors: ['States.ALL'], resultPath: sfn.JsonPath.DISCARD });
    end.next(next);
    return this.ifLogged(`MLflow run to end${id}?`, end, next);
  }

  /** cdk-nag acknowledgements for the orchestrator's role: the MLflow artifact prefix and the logger's versions. */
  public acknowledgeOrchestrator(role: iam.IRole): void {
    acknowledgeWildcardResources(role, [this.o.bucket.arnForObjects(`${REGISTRY_DEFAULTS.mlflowPrefix}*`)],
      'Copies the run\'s evaluation report and lineage document into its MLflow artifact location, under the mlflow/ prefix; MLflow names the run folders.');
    acknowledgeWildcardResources(role, [`${this.function.functionArn}:*`],
      'lambda:InvokeFunction on the MLflow logger and its versions (the Step Functions Lambda integration grants both); no other function.');
  }

  private ifLogged(id: string, then: sfn.IChainable, otherwise: sfn.IChainable): sfn.Choice {
    return new sfn.Choice(this, id)
      .when(sfn.Condition.isPresent(`${MLFLOW_RUN}.runId`), then)
      .otherwise(otherwise);
  }

  private invoke(id: string, payload: Record<string, unknown>, resultPath: string, resultSelector?: Record<string, string>): tasks.LambdaInvoke {
    // The optimized integration (arn:aws:states:::lambda:invoke): its result holds the function's
    // response in Payload (Step Functions developer guide, "Invoke an AWS Lambda function").
    const task = new tasks.LambdaInvoke(this, id, {
      lambdaFunction: this.function,
      payload: sfn.TaskInput.fromObject(payload),
      resultSelector,
      // The project's retry policy instead of the construct's default retrier.
      retryOnServiceExceptions: false,
      resultPath,
      taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
    });
    task.addRetry(retry(RETRY_ERRORS.lambda));
    return task;
  }

  private guarded(task: tasks.LambdaInvoke, what: string, next: sfn.IChainable): sfn.IChainable {
    // The catcher's output goes beside $.mlflow, which stays absent: later states skip MLflow.
    const alert = this.alert('Run not logged to MLflow', what, `${MLFLOW}Error`, next);
    task.addCatch(alert, { errors: ['States.ALL'], resultPath: `${MLFLOW}Error` });
    return task.next(next);
  }

  /** Publishes an alert (like the promotion's "not recorded in SageMaker lineage") and continues with `next`. */
  private alert(id: string, what: string, errorPath: string, next: sfn.IChainable): tasks.SnsPublish {
    const o = this.o;
    const alert = new tasks.SnsPublish(this, id, {
      topic: o.alertTopic,
      subject: `MLflow logging of ${o.model} failed`,
      message: sfn.TaskInput.fromObject({
        alert: `Retraining run of ${o.model} ${what}; the run continues`,
        runId: sfn.JsonPath.stringAt('$.run.id'),
        execution: sfn.JsonPath.executionId,
        trackingServerArn: o.registry.trackingServerArn!,
        // The catcher's whole output ({ Error, Cause }), always present.
        error: sfn.JsonPath.objectAt(errorPath),
      }),
      resultPath: sfn.JsonPath.DISCARD,
    });
    // Not even the alert may stop the run.
    alert.addCatch(next, { errors: ['States.ALL'], resultPath: sfn.JsonPath.DISCARD });
    alert.next(next);
    return alert;
  }
}
