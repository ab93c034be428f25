/* eslint-disable @typescript-eslint/no-explicit-any -- synthesized templates are arbitrary JSON. */
import { Template } from 'aws-cdk-lib/assertions';
import { EVENT_DELIVERY } from '../../lib';

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

/**
 * Checks every rule target of a template: retry policy, a dead-letter queue of this template that is
 * KMS-encrypted, TLS-only, open to exactly the rules that use it, and alarmed. Returns the number of targets.
 */
export function expectEveryTargetDelivered(template: Template, where: string, expectAlarmAction: boolean): number {
  const resources = template.toJSON().Resources as Resources;
  let count = 0;
  const rulesByQueue = new Map<string, Set<string>>();
  for (const [ruleId, r] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Events::Rule')) {
    for (const t of r.Properties!.Targets ?? []) {
      count++;
      const label = `${where} ${ruleId} -> ${JSON.stringify(t.Arn)}`;
      expect({ label, retry: t.RetryPolicy }).toEqual({
        label, retry: { MaximumRetryAttempts: EVENT_DELIVERY.retryAttempts, MaximumEventAgeInSeconds: EVENT_DELIVERY.maxEventAge.toSeconds() },
      });
      const queueId = t.DeadLetterConfig?.Arn?.['Fn::GetAtt']?.[0] as string | undefined;
      expect({ label, queue: queueId && resources[queueId]?.Type }).toEqual({ label, queue: 'AWS::SQS::Queue' });
      rulesByQueue.set(queueId!, (rulesByQueue.get(queueId!) ?? new Set()).add(ruleId));
    }
  }
  expect(rulesByQueue.size).toBeLessThanOrEqual(1); // one queue per stack, not per target
  for (const [queueId, ruleIds] of rulesByQueue) {
    const queue = resources[queueId].Properties!;
    expect(queue.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] });
    expect(resources[queue.KmsMasterKeyId['Fn::GetAtt'][0]].Type).toBe('AWS::KMS::Key');
    expect(queue.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    const policies = Object.values(resources).filter((r) => r.Type === 'AWS::SQS::QueuePolicy'
      && JSON.stringify(r.Properties!.Queues) === JSON.stringify([{ Ref: queueId }]));
    expect(policies).toHaveLength(1);
    const statements = policies[0].Properties!.PolicyDocument.Statement as any[];
    expect(statements).toContainEqual(expect.objectContaining({
      Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    }));
    const allow = statements.find((s) => s.Effect === 'Allow' && s.Principal?.Service === 'events.amazonaws.com');
    expect(allow.Action).toBe('sqs:SendMessage');
    const sources = [].concat(allow.Condition.ArnLike['aws:SourceArn']) as any[];
    expect(sources.map((s) => s['Fn::GetAtt'][0]).sort()).toEqual([...ruleIds].sort());
    const alarms = Object.values(resources).filter((r) => r.Type === 'AWS::CloudWatch::Alarm'
      && r.Properties!.Namespace === 'AWS/SQS' && r.Properties!.MetricName === 'ApproximateNumberOfMessagesVisible'
      && JSON.stringify(r.Properties!.Dimensions) === JSON.stringify([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }]));
    expect(alarms).toHaveLength(1);
    expect(alarms[0].Properties).toMatchObject({ Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', EvaluationPeriods: 1 });
    if (expectAlarmAction) expect({ where, actions: alarms[0].Properties!.AlarmActions }).toEqual({ where, actions: [expect.anything()] });
  }
  return count;
}
