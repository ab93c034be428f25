import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { createLogGroup } from '../../core/encryption';
import { resolveRemovalPolicy } from '../../core/removal';

/**
 * The registry's decision log: a log group that the approval and rejection rules deliver their
 * events to (an audit trail of decisions, and a target so that the rules count in TriggeredRules),
 * with the CloudWatch Logs resource policy EventBridge needs to write to it ("Using resource-based
 * policies for Amazon EventBridge", CloudWatch Logs permissions: `logs:CreateLogStream` and
 * `logs:PutLogEvents` for `events.amazonaws.com`). One policy per registry, scoped to this log
 * group and to the registry's rules; CloudWatch Logs allows 10 resource policies per account and
 * region.
 */
export class DecisionLog extends Construct {
  public readonly group: logs.LogGroup;
  /** The log group ARN as an EventBridge target takes it (without the trailing `:*`). */
  public readonly targetArn: string;
  private readonly rules: string[] = [];

  constructor(scope: Construct, id: string, key: kms.IKey | undefined) {
    super(scope, id);
    const removalPolicy = resolveRemovalPolicy(this);
    this.group = key
      ? createLogGroup(this, 'Group', { key, removalPolicy })
      : new logs.LogGroup(this, 'Group', { removalPolicy });
    const stack = Stack.of(this);
    this.targetArn = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: this.group.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const policy = new logs.CfnResourcePolicy(this, 'Policy', {
      policyName: `registry-decisions-${this.node.addr}`,
      policyDocument: stack.toJsonString({
        Version: '2012-10-17',
        Statement: [{
          Sid: 'EventBridgeToDecisionLog',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: this.group.logGroupArn,
          Condition: { ArnEquals: { 'aws:SourceArn': this.rules } },
        }],
      }),
    });
    policy.node.addDependency(this.group);
  }

  /** Lets `rule` write to the log (the policy names the rule, so it is created after the rule). */
  public allow(rule: events.Rule): void {
    this.rules.push(rule.ruleArn);
  }
}
