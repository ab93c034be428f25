import { Arn, ArnFormat, Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { FAILED_EXECUTION_STATUSES, executionStatusRule } from '../core/executions';
import { Validator } from '../core/errors';
import type { IDataLakehouse } from '../lakehouse/data-lakehouse';
import type { IEtlPipeline } from './etl-pipeline';

/**
 * What every pipeline shares, whether this app creates it ({@link EtlPipeline}) or imports one
 * ({@link EtlPipeline.fromPipelineAttributes}): run events and metrics.
 */
export abstract class EtlPipelineBase extends Construct implements IEtlPipeline {
  public abstract readonly lakehouse: IDataLakehouse;
  public abstract readonly stateMachine?: sfn.IStateMachine;
  public abstract readonly stream?: kinesis.IStream;
  public abstract readonly alertTopic?: sns.ITopic;
  /** The Firehose delivery stream name of the streaming part. */
  public abstract readonly deliveryStreamName?: string;

  public onSuccess(id: string, options: events.OnEventOptions = {}): events.Rule {
    return executionStatusRule(this, id, this.requireStateMachine(id), ['SUCCEEDED'], options);
  }

  public onFailure(id: string, options: events.OnEventOptions = {}): events.Rule {
    return executionStatusRule(this, id, this.requireStateMachine(id), FAILED_EXECUTION_STATUSES, options);
  }

  public metricJobFailures(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireStateMachine('metricJobFailures').metricFailed({ statistic: 'Sum', period: Duration.minutes(5), ...props });
  }

  public metricJobDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireStateMachine('metricJobDuration').metricTime({ statistic: 'Average', period: Duration.minutes(5), ...props });
  }

  public metricRecordsIn(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireStream('metricRecordsIn').metricIncomingRecords({ statistic: 'Sum', period: Duration.minutes(5), ...props });
  }

  public metricBytesIn(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireStream('metricBytesIn').metricIncomingBytes({ statistic: 'Sum', period: Duration.minutes(5), ...props });
  }

  public metricDeliveryFreshness(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    this.requireStream('metricDeliveryFreshness');
    if (!this.deliveryStreamName) this.fail('metricDeliveryFreshness', 'needs the delivery stream name (deliveryStreamName)');
    return new cloudwatch.Metric({
      namespace: 'AWS/Firehose',
      metricName: 'DeliveryToS3.DataFreshness',
      dimensionsMap: { DeliveryStreamName: this.deliveryStreamName! },
      statistic: 'Maximum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  private requireStateMachine(what: string): sfn.IStateMachine {
    if (!this.stateMachine) this.fail(what, 'needs the batch part of the pipeline (props.batch)');
    return this.stateMachine!;
  }

  private requireStream(what: string): kinesis.IStream {
    if (!this.stream) this.fail(what, 'needs the streaming part of the pipeline (props.streaming)');
    return this.stream!;
  }

  private fail(what: string, allowed: string): never {
    const v = new Validator(this);
    v.fail(what, 'called', allowed);
    v.throwIfAny();
    throw new Error('unreachable');
  }
}

/** A pipeline another app owns (same account and region), for {@link EtlPipeline.fromPipelineAttributes}. */
export interface EtlPipelineAttributes {
  /** The lakehouse the pipeline feeds (its own, or one imported with `DataLakehouse.fromAttributes`). */
  readonly lakehouse: IDataLakehouse;
  /**
   * ARN of the batch part's state machine: run events (`onSuccess`, `RetrainTrigger.onEtlSuccess`)
   * and run metrics.
   * @default no batch part
   */
  readonly stateMachineArn?: string;
  /**
   * ARN of the streaming part's Kinesis stream: record metrics.
   * @default no streaming part
   */
  readonly streamArn?: string;
  /**
   * Name of the streaming part's Firehose delivery stream: the delivery freshness metric.
   * @default unknown (`metricDeliveryFreshness` fails)
   */
  readonly deliveryStreamName?: string;
  /**
   * ARN of the topic that receives the pipeline's failure alerts.
   * @default unknown
   */
  readonly alertTopicArn?: string;
}

/** The pipeline {@link EtlPipeline.fromPipelineAttributes} returns. */
export class ImportedEtlPipeline extends EtlPipelineBase {
  public readonly lakehouse: IDataLakehouse;
  public readonly stateMachine?: sfn.IStateMachine;
  public readonly stream?: kinesis.IStream;
  public readonly alertTopic?: sns.ITopic;
  public readonly deliveryStreamName?: string;

  constructor(scope: Construct, id: string, attrs: EtlPipelineAttributes) {
    super(scope, id);
    const v = new Validator(this);
    v.check(typeof attrs?.lakehouse?.zoneBucket === 'function', 'lakehouse', attrs?.lakehouse,
      'must be an IDataLakehouse (a DataLakehouse or DataLakehouse.fromAttributes(...))');
    v.check(attrs?.stateMachineArn !== undefined || attrs?.streamArn !== undefined, 'stateMachineArn', undefined,
      'or streamArn is required (a pipeline has a batch part, a streaming part or both)');
    // ARN formats: "Actions, resources, and condition keys" of Step Functions (arn:${Partition}:states:${Region}:${Account}:stateMachine:${StateMachineName}),
    // Kinesis (arn:${Partition}:kinesis:${Region}:${Account}:stream/${StreamName}) and SNS (arn:${Partition}:sns:${Region}:${Account}:${TopicName}).
    arn(v, attrs?.stateMachineArn, 'stateMachineArn', 'states', 'stateMachine', ArnFormat.COLON_RESOURCE_NAME);
    arn(v, attrs?.streamArn, 'streamArn', 'kinesis', 'stream', ArnFormat.SLASH_RESOURCE_NAME);
    arn(v, attrs?.alertTopicArn, 'alertTopicArn', 'sns', undefined, ArnFormat.NO_RESOURCE_NAME);
    v.throwIfAny();
    this.lakehouse = attrs.lakehouse;
    this.stateMachine = attrs.stateMachineArn ? sfn.StateMachine.fromStateMachineArn(this, 'StateMachine', attrs.stateMachineArn) : undefined;
    this.stream = attrs.streamArn ? kinesis.Stream.fromStreamArn(this, 'Stream', attrs.streamArn) : undefined;
    this.alertTopic = attrs.alertTopicArn ? sns.Topic.fromTopicArn(this, 'AlertTopic', attrs.alertTopicArn) : undefined;
    this.deliveryStreamName = attrs.deliveryStreamName;
  }
}

/** Checks an ARN's service (and resource type) when it is not a token. */
function arn(v: Validator, value: string | undefined, property: string, service: string, resource: string | undefined, format: ArnFormat): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (typeof value !== 'string' || !value.startsWith('arn:')) {
    v.fail(property, value, `must be an ARN of ${service}${resource ? ` ${resource}` : ''}`);
    return;
  }
  let parts: { service: string; resource: string };
  try {
    parts = Arn.split(value, format);
  } catch {
    v.fail(property, value, `must be an ARN of ${service}${resource ? ` ${resource}` : ''}`);
    return;
  }
  v.check(parts.service === service && (resource === undefined || parts.resource === resource), property, value,
    `must be an ARN of ${service}${resource ? ` ${resource}` : ''}`);
}
