import { Annotations, ArnFormat, Duration, Lazy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct, IConstruct } from 'constructs';
import { allowCloudWatchAlarmsToUseKey } from './alerts';
import { createKey } from './encryption';
import { resolveRemovalPolicy } from './removal';

/**
 * How every EventBridge rule target of this library is delivered.
 *
 * EventBridge retries a target that fails with a retriable error "for 24 hours and up to 185 times
 * with an exponential back off and jitter" by default, then drops the event; errors such as a
 * missing permission or a deleted target are not retried and go straight to the dead-letter queue
 * when there is one (EventBridge User Guide, "Event retry policy and using dead-letter queues").
 * `RetryPolicy` takes `MaximumRetryAttempts` 0-185 and `MaximumEventAgeInSeconds` 60-86400;
 * delivery stops at whichever limit comes first (AWS::Events::Rule RetryPolicy, CloudFormation
 * Template Reference; EventBridge User Guide, "Retry policies and dead-letter queues").
 *
 * The values: the documented maximum of attempts, so that the event age is the one limit that
 * applies, and four hours of exponential backoff. Four hours ride out the throttling and service
 * interruptions that retries exist for (StartExecution, Publish and PutLogEvents recover within
 * minutes), keep a nightly ETL run, retraining or promotion within its night, and hand anything
 * longer to a person: the event lands in the stack's dead-letter queue, the queue's alarm fires,
 * and the event waits there for 14 days to be redriven instead of being dropped after a day.
 */
export const EVENT_DELIVERY = {
  /** `MaximumRetryAttempts`: the documented maximum (0-185), so that `maxEventAge` decides. */
  retryAttempts: 185,
  /** `MaximumEventAgeInSeconds` (60-86400): four hours of exponential backoff with jitter. */
  maxEventAge: Duration.hours(4),
  /** How long an undelivered event waits in the dead-letter queue: the SQS maximum, 14 days. */
  retentionPeriod: Duration.days(14),
  /**
   * Rules the queue policy names one by one. One statement names every rule of the stack
   * (`aws:SourceArn`); SQS policies hold at most 8,192 bytes and 20 statements (SQS Developer Guide,
   * "Amazon SQS policy quotas"), so a statement per rule would fail past 19 rules. A rule ARN takes
   * at most ~115 bytes in the list, so 60 rules stay below the byte limit. Past 60 rules (a platform
   * of many models puts ~4 rules per model in its ML stack) the statement names the rules of this
   * account and region (`arn:<partition>:events:<region>:<account>:rule/*`) instead.
   */
  maxRulesPerQueue: 60,
} as const;

/** Options for {@link deliverReliably}. */
export interface ReliableDeliveryOptions {
  /**
   * A topic the stack's dead-letter alarm notifies. The first topic given in a stack is the
   * alarm's action; CloudWatch is allowed to use the topic's key.
   * @default the alarm notifies the topic given by another target of the stack, or none
   */
  readonly alarmTopic?: sns.ITopic;
}

/**
 * A rule target with an explicit retry policy ({@link EVENT_DELIVERY}) and its stack's encrypted,
 * alarmed dead-letter queue ({@link EventDeadLetters}). Every target this library creates goes
 * through here; targets passed to `onXxx(id, { target })` hooks are wrapped too. A retry policy or
 * dead-letter queue the target already has is kept.
 */
export function deliverReliably(target: events.IRuleTarget, options: ReliableDeliveryOptions = {}): events.IRuleTarget {
  if (!(target instanceof ReliableTarget)) return new ReliableTarget(target, options);
  return options.alarmTopic ? new ReliableTarget(target.inner, options) : target;
}

class ReliableTarget implements events.IRuleTarget {
  constructor(public readonly inner: events.IRuleTarget, private readonly options: ReliableDeliveryOptions) {}

  public bind(rule: events.IRule, id?: string): events.RuleTargetConfig {
    const config = this.inner.bind(rule, id);
    let deadLetterConfig = config.deadLetterConfig;
    if (!deadLetterConfig) {
      const deadLetters = EventDeadLetters.of(rule);
      deadLetters.allow(rule);
      if (this.options.alarmTopic) deadLetters.notify(this.options.alarmTopic);
      deadLetterConfig = { arn: deadLetters.queue.queueArn };
    }
    // "Retry policy is not supported for Event bus targets" (aws-cdk-lib aws_events_targets.EventBusProps).
    const retryPolicy = config.retryPolicy ?? (this.inner instanceof targets.EventBus ? undefined : {
      maximumRetryAttempts: EVENT_DELIVERY.retryAttempts,
      maximumEventAgeInSeconds: EVENT_DELIVERY.maxEventAge.toSeconds(),
    });
    return { ...config, deadLetterConfig, retryPolicy };
  }
}

/**
 * The one dead-letter queue of a stack's EventBridge rule targets: a standard SQS queue (EventBridge
 * accepts only standard queues as DLQs), TLS-only, encrypted with its own customer-managed key, that
 * keeps undelivered events for 14 days, with an alarm as soon as it holds one.
 *
 * Its own key rather than one the stack already has: whoever reads or redrives undelivered events
 * needs `kms:Decrypt` on the queue's key, and this key opens nothing else (not the lakehouse data, the
 * model artifacts or the alert topics). Its policy carries the statement the SQS Developer Guide
 * gives for AWS services that send to an SSE-KMS queue ("Key management: Configure KMS permissions
 * for AWS services"): the service principal, here `events.amazonaws.com`, may `kms:GenerateDataKey`
 * and `kms:Decrypt`, on `*` (the key itself), without conditions, since which request context
 * keys EventBridge's sends carry is not documented and a condition that does not match would
 * silently turn the dead-letter queue into a drop (InvocationsFailedToBeSentToDLQ). Who may send
 * is decided by the queue policy, which names the rules.
 *
 * Created in the stack's root on the first target that needs it, as `EventDeadLetters`.
 */
export class EventDeadLetters extends Construct {
  /** The construct ID under the stack. */
  public static readonly ID = 'EventDeadLetters';

  /** The stack's dead-letter queue, created on first use. */
  public static of(scope: IConstruct): EventDeadLetters {
    const stack = Stack.of(scope);
    return stack.node.tryFindChild(EventDeadLetters.ID) as EventDeadLetters | undefined ?? new EventDeadLetters(stack, EventDeadLetters.ID);
  }

  /** The key of the queue. */
  public readonly key: kms.Key;
  /** The queue. */
  public readonly queue: sqs.Queue;
  /** In ALARM while the queue holds an event (ApproximateNumberOfMessagesVisible >= 1). */
  public readonly alarm: cloudwatch.Alarm;
  private readonly ruleArns: string[] = [];
  private notified = false;

  private constructor(scope: Stack, id: string) {
    super(scope, id);
    const removalPolicy = resolveRemovalPolicy(this);
    this.key = createKey(this, 'Key', { description: `Undelivered EventBridge events of stack ${scope.stackName}`, removalPolicy });
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeToDeadLetterQueue',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
      resources: ['*'],
    }));
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: EVENT_DELIVERY.retentionPeriod,
      removalPolicy,
    });
    // "Granting permissions to the dead-letter queue" (EventBridge User Guide): sqs:SendMessage for
    // events.amazonaws.com, on condition that aws:SourceArn is the rule. One statement names every
    // rule, with ArnLike, which on ARNs without wildcards matches exactly as the guide's ArnEquals
    // does ("IAM JSON policy elements: Condition operators", IAM User Guide).
    this.queue.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeRules',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['sqs:SendMessage'],
      resources: [this.queue.queueArn],
      // ArnLike on exact ARNs matches exactly; the account-and-region pattern only past maxRulesPerQueue rules.
      conditions: {
        ArnLike: {
          'aws:SourceArn': Lazy.list({
            produce: () => (this.ruleArns.length <= EVENT_DELIVERY.maxRulesPerQueue
              ? this.ruleArns
              : [scope.formatArn({ service: 'events', resource: 'rule', resourceName: '*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME })]),
          }),
        },
      },
    }));
    Validations.of(this.queue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is the dead-letter queue of EventBridge rule targets (DeadLetterConfig), which cdk-nag cannot see: '
        + 'it recognizes only queues named in another queue\'s RedrivePolicy. A dead-letter queue has no dead-letter queue of its own.',
    });
    // AWS/SQS ApproximateNumberOfMessagesVisible ("Available CloudWatch metrics for Amazon SQS",
    // SQS Developer Guide): messages available for retrieval. Maximum over 5 minutes: one event is enough.
    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      alarmDescription: `An EventBridge rule of stack ${scope.stackName} could not deliver an event after ${EVENT_DELIVERY.maxEventAge.toHumanString()} `
        + 'of retries (or hit a non-retriable error); the event waits in the dead-letter queue (message attributes RULE_ARN, TARGET_ARN, ERROR_CODE, ERROR_MESSAGE) '
        + `for ${EVENT_DELIVERY.retentionPeriod.toDays()} days to be redriven.`,
      metric: this.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      datapointsToAlarm: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** Lets `rule` send its undelivered events to the queue. */
  public allow(rule: events.IRule): void {
    if (this.ruleArns.includes(rule.ruleArn)) return;
    this.ruleArns.push(rule.ruleArn);
    if (this.ruleArns.length === EVENT_DELIVERY.maxRulesPerQueue + 1) {
      Annotations.of(this).addInfo(`More than ${EVENT_DELIVERY.maxRulesPerQueue} rules deliver to this dead-letter queue: its policy admits `
        + 'the rules of this account and region rather than naming each (SQS policies hold at most 8,192 bytes).');
    }
  }

  /**
   * Makes the alarm notify `topic`, unless it already notifies one; CloudWatch may then use the
   * topic's key (an encrypted topic needs it: "Amazon SNS topic encryption" for CloudWatch alarms).
   */
  public notify(topic: sns.ITopic): void {
    if (this.notified) return;
    this.notified = true;
    this.alarm.addAlarmAction(new cw_actions.SnsAction(topic));
    if (topic.masterKey) allowCloudWatchAlarmsToUseKey(topic.masterKey);
  }
}
