import { App, CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EVENT_DELIVERY, EventDeadLetters, createAlertTopic, createKey, deliverReliably } from '../../lib';
import { buildDefaultApp } from '../../bin/main';
import { SKIP_BUNDLING, testApp, testStack } from '../helpers/app';
import { platformStacks } from '../helpers/platform';
import { expectEveryTargetDelivered } from '../helpers/events';

// Guards issue 16, "No event is lost": before, every rule target used EventBridge's defaults (24 hours,
// 185 attempts, then the event is dropped) and had no dead-letter queue.

/** A state machine that does nothing, as a target. */
function stateMachine(stack: Stack, id = 'Sm'): sfn.StateMachine {
  return new sfn.StateMachine(stack, id, { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(stack, `${id}Pass`)) });
}

function rule(stack: Stack, id: string): events.Rule {
  return new events.Rule(stack, id, { eventPattern: { source: ['test'] } });
}


describe('deliverReliably and EventDeadLetters', () => {
  test('every target gets the retry policy and the one dead-letter queue of its stack', () => {
    const stack = testStack();
    const sm = stateMachine(stack);
    rule(stack, 'A').addTarget(deliverReliably(new targets.SfnStateMachine(sm)));
    rule(stack, 'B').addTarget(deliverReliably(new targets.SfnStateMachine(sm)));
    const t = Template.fromStack(stack);
    expect(expectEveryTargetDelivered(t, 'stack', false)).toBe(2);
    t.resourceCountIs('AWS::SQS::Queue', 1);
    t.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 14400 } })],
    });
  });

  test('the documented ranges hold: MaximumRetryAttempts 0-185, MaximumEventAgeInSeconds 60-86400', () => {
    expect(EVENT_DELIVERY.retryAttempts).toBeGreaterThanOrEqual(0);
    expect(EVENT_DELIVERY.retryAttempts).toBeLessThanOrEqual(185);
    expect(EVENT_DELIVERY.maxEventAge.toSeconds()).toBeGreaterThanOrEqual(60);
    expect(EVENT_DELIVERY.maxEventAge.toSeconds()).toBeLessThanOrEqual(86400);
    expect(EVENT_DELIVERY.retentionPeriod.toSeconds()).toBe(Duration.days(14).toSeconds());
  });

  test('the queue key lets EventBridge GenerateDataKey and Decrypt (SQS key management for AWS services)', () => {
    const stack = testStack();
    rule(stack, 'A').addTarget(deliverReliably(new targets.SfnStateMachine(stateMachine(stack))));
    const keyId = stack.getLogicalId(EventDeadLetters.of(stack).key.node.defaultChild as CfnElement);
    const key = Template.fromStack(stack).toJSON().Resources[keyId];
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toContainEqual({
      Sid: 'AllowEventBridgeToDeadLetterQueue', Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: '*',
    });
  });

  test('the alarm notifies the first alert topic given, and CloudWatch may use the topic key', () => {
    const stack = testStack();
    const sm = stateMachine(stack);
    const topicKey = createKey(stack, 'TopicKey', { description: 'alerts', removalPolicy: RemovalPolicy.RETAIN });
    const topic = createAlertTopic(stack, 'Topic', topicKey, 'alerts');
    const other = createAlertTopic(stack, 'Other', topicKey, 'other');
    rule(stack, 'A').addTarget(deliverReliably(new targets.SfnStateMachine(sm), { alarmTopic: topic }));
    rule(stack, 'B').addTarget(deliverReliably(new targets.SfnStateMachine(sm), { alarmTopic: other }));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible', AlarmActions: [{ Ref: stack.getLogicalId(topic.node.defaultChild as CfnElement) }],
    });
    t.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Sid: 'AllowCloudWatchAlarmsToSns', Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
  });

  test('a dead-letter queue or retry policy the target brings is kept', () => {
    const stack = testStack();
    const own = new sqs.Queue(stack, 'Own', { enforceSSL: true });
    rule(stack, 'A').addTarget(deliverReliably(new targets.SfnStateMachine(stateMachine(stack), { deadLetterQueue: own, retryAttempts: 3 })));
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 3 }, DeadLetterConfig: { Arn: { 'Fn::GetAtt': [stack.getLogicalId(own.node.defaultChild as CfnElement), 'Arn'] } } })],
    });
    expect(stack.node.tryFindChild(EventDeadLetters.ID)).toBeUndefined();
  });

  test('event bus targets get the dead-letter queue but no retry policy (not supported for event bus targets)', () => {
    const stack = testStack();
    rule(stack, 'A').addTarget(deliverReliably(new targets.EventBus(new events.EventBus(stack, 'Bus'))));
    const target = Template.fromStack(stack).findResources('AWS::Events::Rule');
    const [t] = Object.values(target)[0].Properties.Targets;
    expect(t.RetryPolicy).toBeUndefined();
    expect(t.DeadLetterConfig).toBeDefined();
  });

  test('past maxRulesPerQueue rules, the queue policy admits the rules of this account and region (SQS policies hold 8,192 bytes)', () => {
    const stack = testStack();
    const sm = stateMachine(stack);
    for (let i = 0; i <= EVENT_DELIVERY.maxRulesPerQueue; i++) rule(stack, `R${i}`).addTarget(deliverReliably(new targets.SfnStateMachine(sm)));
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
        Action: 'sqs:SendMessage',
        Condition: { ArnLike: { 'aws:SourceArn': ['arn:aws:events:us-east-1:123456789012:rule/*'] } },
      })]) },
    });
  });

  test('wrapping twice changes nothing', () => {
    const inner = new targets.SfnStateMachine(stateMachine(testStack()));
    const once = deliverReliably(inner);
    expect(deliverReliably(once)).toBe(once);
  });

  test('cdk-nag AwsSolutions: zero unacknowledged findings (SQS3 acknowledged on the queue only)', () => {
    const stack = testStack({ nag: true });
    const topic = createAlertTopic(stack, 'Topic', createKey(stack, 'TopicKey', { description: 'alerts', removalPolicy: RemovalPolicy.RETAIN }), 'alerts');
    rule(stack, 'A').addTarget(deliverReliably(new targets.SnsTopic(topic), { alarmTopic: topic }));
    const app = stack.node.root as App;
    expect(() => app.synth()).not.toThrow();
  });
});

// -c env=all: test/app.test.ts checks it on its validated, cdk-nag-checked build of every environment.
describe('default app: every EventBridge rule target is delivered reliably', () => {
  test.each([
    ['dev (no context)', {}],
    ['prod (-c env=prod)', { env: 'prod' }],
  ])('%s', (_name, context) => {
    const app = testApp({ ...SKIP_BUNDLING, ...context });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const { stages } = buildDefaultApp(app);
    app.synth(); // throws on unacknowledged cdk-nag findings
    let targetsSeen = 0;
    for (const stage of stages.values()) {
      for (const s of platformStacks(stage)) {
        const t = Template.fromStack(s);
        const hasTopic = Object.keys(t.findResources('AWS::SNS::Topic')).length > 0;
        targetsSeen += expectEveryTargetDelivered(t, s.stackName, hasTopic || stage.mlStacks.includes(s));
      }
    }
    expect(targetsSeen).toBeGreaterThan(0);
  });
});
