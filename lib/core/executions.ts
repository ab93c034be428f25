import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { deliverReliably } from './event-delivery';

/** Step Functions execution statuses that count as a failed run. */
export const FAILED_EXECUTION_STATUSES: readonly string[] = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/** The EventBridge pattern of a state machine's executions reaching one of `statuses`. */
export function executionStatusPattern(stateMachine: sfn.IStateMachine, statuses: readonly string[], extra: events.EventPattern = {}): events.EventPattern {
  return {
    ...extra,
    source: ['aws.states'],
    detailType: ['Step Functions Execution Status Change'],
    detail: { ...extra.detail, status: [...statuses], stateMachineArn: [stateMachine.stateMachineArn] },
  };
}

/**
 * An EventBridge rule on a state machine's executions reaching one of `statuses`, honouring the
 * usual `OnEventOptions` (extra pattern fields narrow it; status and state machine cannot be widened).
 */
export function executionStatusRule(scope: Construct, id: string, stateMachine: sfn.IStateMachine, statuses: readonly string[],
  options: events.OnEventOptions = {}): events.Rule {
  return ruleWithOptions(scope, id, executionStatusPattern(stateMachine, statuses, options.eventPattern), options);
}

/**
 * An EventBridge rule for an `onXxx(id, options)` hook: the pattern comes from the construct (already
 * merged with `options.eventPattern`), the rest of the options (description, name, target) from the caller.
 * The target is delivered with the library's retry policy and the stack's dead-letter queue
 * ({@link deliverReliably}) unless it brings its own.
 */
export function ruleWithOptions(scope: Construct, id: string, eventPattern: events.EventPattern, options: events.OnEventOptions): events.Rule {
  const rule = new events.Rule(scope, id, {
    description: options.description,
    ruleName: options.ruleName,
    crossStackScope: options.crossStackScope,
    eventPattern,
  });
  if (options.target) rule.addTarget(deliverReliably(options.target));
  return rule;
}

/**
 * An SNS target that sends a failure alert naming the source, the status, the execution and the
 * error; delivered reliably, the topic also hears of the stack's undelivered events.
 */
export function executionAlertTarget(topic: sns.ITopic, source: Record<string, string>): events.IRuleTarget {
  return deliverReliably(new targets.SnsTopic(topic, {
    message: events.RuleTargetInput.fromObject({
      ...source,
      status: events.EventField.fromPath('$.detail.status'),
      execution: events.EventField.fromPath('$.detail.executionArn'),
      error: events.EventField.fromPath('$.detail.error'),
      cause: events.EventField.fromPath('$.detail.cause'),
    }),
  }), { alarmTopic: topic });
}
