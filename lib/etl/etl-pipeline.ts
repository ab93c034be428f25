import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import { createAlertTopic } from '../core/alerts';
import { deliverReliably } from '../core/event-delivery';
import { executionAlertTarget } from '../core/executions';
import { Validator } from '../core/errors';
import { ownOrNewKey } from '../core/own-key';
import { resolveRemovalPolicy } from '../core/removal';
import { IDataLakehouse } from '../lakehouse/data-lakehouse';
import { EtlPipelineAttributes, EtlPipelineBase, ImportedEtlPipeline } from './etl-pipeline-base';
import { ETL_DEFAULTS, EtlPipelineProps } from './etl-pipeline-props';
import { BatchResources } from './private/batch';
import { StreamingResources } from './private/streaming';
import { validateEtlProps } from './private/validate';
import { BatchWorkflow } from './private/workflow';

/** An ETL pipeline as monitoring and training see it: metrics and run events. */
export interface IEtlPipeline extends IConstruct {
  /** The lakehouse the pipeline feeds. */
  readonly lakehouse: IDataLakehouse;
  /** The orchestrating state machine of the batch part, if any. */
  readonly stateMachine?: sfn.IStateMachine;
  /** The Kinesis stream of the streaming part, if any. */
  readonly stream?: kinesis.IStream;
  /** Topic that receives failure alerts (unknown for an imported pipeline without `alertTopicArn`). */
  readonly alertTopic?: sns.ITopic;
  /** An EventBridge rule matching successful batch runs (data passed its quality gate). */
  onSuccess(id: string, options?: events.OnEventOptions): events.Rule;
  /** An EventBridge rule matching failed, timed-out or aborted batch runs. */
  onFailure(id: string, options?: events.OnEventOptions): events.Rule;
  /** Failed batch runs, including data-quality failures (AWS/States ExecutionsFailed; Sum over 5 minutes). */
  metricJobFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Duration of batch runs in milliseconds (AWS/States ExecutionTime; Average over 5 minutes). */
  metricJobDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Records into the stream (AWS/Kinesis IncomingRecords; Sum over 5 minutes). */
  metricRecordsIn(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Bytes into the stream (AWS/Kinesis IncomingBytes; Sum over 5 minutes). */
  metricBytesIn(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Age in seconds of the oldest record not yet delivered to S3 (AWS/Firehose DeliveryToS3.DataFreshness; Maximum over 5 minutes). */
  metricDeliveryFreshness(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/** What the pipeline adds to its key's policy; named in the warning on an imported key. */
const ETL_KEY_POLICY_NEEDS = [
  'logs.<region>.amazonaws.com may use the key for log groups of this account',
  'events.amazonaws.com may kms:Decrypt and kms:GenerateDataKey with aws:SourceAccount = this account (alert topic)',
];

/**
 * Batch and streaming data into the lakehouse, with a quality gate.
 *
 * Batch: a Glue Spark job (script asset, bookmarks, encrypted logs, bookmarks and output) run by a
 * Step Functions state machine that waits for the job, registers the partitions it wrote (crawler,
 * Parquet targets), evaluates a Glue Data Quality ruleset on what the run wrote (the run's partitions
 * with `dataQuality.runPartitionKey`, else the whole target table) and succeeds; any failure, a
 * failing rule included, fails the run and alerts. Streaming: a KMS-encrypted Kinesis stream into Firehose into a zone, with date
 * partitions, an error prefix, optional Parquet conversion and an optional esbuild-bundled
 * transformation Lambda.
 */
export class EtlPipeline extends EtlPipelineBase {
  /**
   * A pipeline another app owns (same account and region): enough for `RetrainTrigger.onEtlSuccess`,
   * `onSuccess`/`onFailure` rules and MonitoringStack's `pipelines`. Nothing is created.
   *
   * @example
   * // given: stack: Stack; lakehouse: IDataLakehouse; training: ITrainingCluster
   * const curate = EtlPipeline.fromPipelineAttributes(stack, 'Curate', {
   *   lakehouse,
   *   stateMachineArn: 'arn:aws:states:eu-west-1:111111111111:stateMachine:acme-prod-curate',
   * });
   * training.retrainOn('NewData', RetrainTrigger.onEtlSuccess(curate));
   */
  public static fromPipelineAttributes(scope: Construct, id: string, attrs: EtlPipelineAttributes): IEtlPipeline {
    return new ImportedEtlPipeline(scope, id, attrs);
  }

  public readonly lakehouse: IDataLakehouse;
  public readonly stateMachine?: sfn.StateMachine;
  public readonly stream?: kinesis.Stream;
  public readonly alertTopic: sns.ITopic;
  /** The key of the pipeline's topic, logs, bookmarks and stream (`encryptionKey`, else the lakehouse's). */
  public readonly encryptionKey: kms.IKey;
  /** The Glue job name of the batch part. */
  public readonly jobName?: string;
  /** The Firehose delivery stream name of the streaming part. */
  public readonly deliveryStreamName?: string;
  /** The role of the Glue job, crawler and data-quality evaluation. */
  public readonly jobRole?: iam.IRole;
  /** The Glue Data Quality ruleset name. */
  public readonly rulesetName?: string;
  /** The crawler that refreshes a Parquet target table's partitions. */
  public readonly crawlerName?: string;
  /** The record-transformation function of the streaming part. */
  public readonly transformer?: lambda.IFunction;

  constructor(scope: Construct, id: string, props: EtlPipelineProps) {
    super(scope, id);
    const v = new Validator(this);
    validateEtlProps(v, props, Stack.of(this).bundlingRequired);
    if (props.encryptionKey !== undefined) {
      v.check(typeof (props.encryptionKey as { keyArn?: unknown })?.keyArn === 'string', 'encryptionKey', props.encryptionKey,
        'must be a kms.IKey (for example kms.Key.fromKeyArn(...))');
    }
    v.throwIfAny();

    this.lakehouse = props.lakehouse;
    const removalPolicy = resolveRemovalPolicy(this);
    const key = props.encryptionKey
      ? ownOrNewKey(this, 'Key', props.encryptionKey, { description: 'unused: the key is given', removalPolicy, keyPolicyStatements: ETL_KEY_POLICY_NEEDS })
      : props.lakehouse.encryptionKey;
    this.encryptionKey = key;

    this.alertTopic = props.alertTopic ?? createAlertTopic(this, 'Alerts', key, `ETL alerts ${this.node.path}`);

    if (props.batch) {
      const batch = new BatchResources(this, 'Batch', props.lakehouse, props.batch, removalPolicy, key);
      this.jobName = batch.jobName;
      this.jobRole = batch.role;
      this.rulesetName = batch.rulesetName;
      this.crawlerName = batch.crawler?.ref;
      const workflow = new BatchWorkflow(this, 'Workflow', {
        batch,
        key,
        removalPolicy,
        runTimeout: props.runTimeout ?? ETL_DEFAULTS.runTimeout,
        dataQualityTimeout: props.batch.dataQuality.timeout ?? ETL_DEFAULTS.dataQualityTimeout,
      });
      this.stateMachine = workflow.stateMachine;
      this.addTriggers(props);
      this.onFailure('AlertOnFailure', {
        description: `Alerts when a run of ${this.node.path} fails, times out or is aborted`,
        target: executionAlertTarget(this.alertTopic, { pipeline: this.node.path }),
      });
    }

    if (props.streaming) {
      const streaming = new StreamingResources(this, 'Streaming', props.lakehouse, props.streaming, removalPolicy, key);
      this.stream = streaming.stream;
      this.deliveryStreamName = streaming.deliveryStreamName;
      this.transformer = streaming.transformer;
    }
  }

  private addTriggers(props: EtlPipelineProps): void {
    const b = props.batch!;
    const sm = this.stateMachine!;
    if (b.schedule) {
      new events.Rule(this, 'Schedule', {
        description: `Runs ${this.node.path} on ${b.schedule}`,
        schedule: events.Schedule.expression(b.schedule),
        targets: [deliverReliably(new targets.SfnStateMachine(sm), { alarmTopic: this.alertTopic })],
      });
    }
    if (b.triggerOnNewObjects !== undefined) {
      const bucket = props.lakehouse.zoneBucket(b.source.zone);
      const key = b.triggerOnNewObjects === '' ? undefined : [{ prefix: b.triggerOnNewObjects }];
      new events.Rule(this, 'OnNewObjects', {
        description: `Runs ${this.node.path} when objects arrive in the ${b.source.zone} zone`,
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: { bucket: { name: [bucket.bucketName] }, ...(key ? { object: { key } } : {}) },
        },
        targets: [deliverReliably(new targets.SfnStateMachine(sm), { alarmTopic: this.alertTopic })],
      });
    }
  }
}
