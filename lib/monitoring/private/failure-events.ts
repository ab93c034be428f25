import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { deliverReliably } from '../../core/event-delivery';
import { FAILED_EXECUTION_STATUSES, executionAlertTarget, executionStatusRule } from '../../core/executions';

/** CloudFormation stack statuses that mean an update failed and was (or could not be) rolled back. */
export const ROLLED_BACK_STATUSES: readonly string[] = ['UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED'];

/** A rule that sends failed, timed-out and aborted runs of a workflow to the topic. */
export function alertOnFailedRuns(scope: Construct, id: string, stateMachine: sfn.IStateMachine, topic: sns.ITopic, kind: string, path: string): events.Rule {
  return executionStatusRule(scope, id, stateMachine, FAILED_EXECUTION_STATUSES, {
    description: `${kind} ${path}: failed, timed-out or aborted runs to the platform alarm topic`,
    target: executionAlertTarget(topic, { alert: `${kind} run failed`, source: path }),
  });
}

/**
 * A rule that sends the rollback of a serving stack's update to the topic. When an endpoint's
 * blue/green update trips a rollback alarm, SageMaker restores the old fleet, the update fails and
 * CloudFormation rolls the stack back: the stack status is the one event every rollout path shares.
 * Matches by stack name, so no reference to the serving stack is added.
 */
export function alertOnRolledBackStack(scope: Construct, id: string, stackName: string, topic: sns.ITopic): events.Rule {
  const stackArnPrefix = Stack.of(scope).formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stackName}/`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  const rule = new events.Rule(scope, id, {
    description: `Rollout of ${stackName} rolled back (endpoint update failed or tripped a rollback alarm)`,
    eventPattern: {
      source: ['aws.cloudformation'],
      detailType: ['CloudFormation Stack Status Change'],
      detail: {
        'stack-id': [{ prefix: stackArnPrefix }],
        'status-details': { status: [...ROLLED_BACK_STATUSES] },
      },
    },
  });
  rule.addTarget(deliverReliably(new targets.SnsTopic(topic, {
    message: events.RuleTargetInput.fromObject({
      alert: 'Rollout rolled back',
      stack: stackName,
      status: events.EventField.fromPath('$.detail.status-details.status'),
      reason: events.EventField.fromPath('$.detail.status-details.status-reason'),
    }),
  }), { alarmTopic: topic }));
  return rule;
}
