import { App } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EtlPipeline, LakehouseZone, MonitoringStack, ValidationError } from '../../lib';
import { RetrainTrigger, TrainingCluster } from '../../lib/training';
import { SKIP_BUNDLING, TEST_ENV, testStack } from '../helpers/app';
import { JOB_SCRIPT, RULESET, pipelineLakehouse } from '../helpers/etl';
import { managedOptions, trainingInputs } from '../training/helpers-training';

const SM_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:acme-prod-curate';
const STREAM_ARN = 'arn:aws:kinesis:us-east-1:123456789012:stream/acme-prod-events';
const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:acme-prod-etl-alerts';

describe('EtlPipeline.fromPipelineAttributes', () => {
  test('RetrainTrigger.onEtlSuccess over an imported pipeline starts retraining on its successful runs', () => {
    const stack = testStack();
    const { lakehouse, registry } = trainingInputs(stack);
    const training = new TrainingCluster(stack, 'Training', { lakehouse, registry, model: 'churn', managed: managedOptions() });
    const curate = EtlPipeline.fromPipelineAttributes(stack, 'Curate', { lakehouse, stateMachineArn: SM_ARN });
    training.retrainOn('NewData', RetrainTrigger.onEtlSuccess(curate));
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'], 'detail': { status: ['SUCCEEDED'], stateMachineArn: [SM_ARN] } },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('TrainingWorkflow') } })],
    });
  });

  test('a MonitoringStack alarms on an imported pipeline\'s failed and missing runs and stream delivery', () => {
    const stack = testStack();
    const lakehouse = pipelineLakehouse(stack);
    const curate = EtlPipeline.fromPipelineAttributes(stack, 'Curate', {
      lakehouse, stateMachineArn: SM_ARN, streamArn: STREAM_ARN, deliveryStreamName: 'acme-prod-events', alertTopicArn: TOPIC_ARN,
    });
    expect(curate.alertTopic?.topicArn).toBe(TOPIC_ARN);
    const mon = new MonitoringStack(stack.node.root as App, 'Mon', { env: TEST_ENV, pipelines: [curate] });
    const t = Template.fromStack(mon);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed', Namespace: 'AWS/States', Dimensions: [{ Name: 'StateMachineArn', Value: SM_ARN }],
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ExecutionsSucceeded', Dimensions: [{ Name: 'StateMachineArn', Value: SM_ARN }] });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'DeliveryToS3.DataFreshness', Namespace: 'AWS/Firehose', Dimensions: [{ Name: 'DeliveryStreamName', Value: 'acme-prod-events' }],
    });
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ detail: Match.objectLike({ stateMachineArn: [SM_ARN] }) }) });
  });

  test('onSuccess on an imported pipeline renders a rule on its state machine', () => {
    const stack = testStack();
    const curate = EtlPipeline.fromPipelineAttributes(stack, 'Curate', { lakehouse: pipelineLakehouse(stack), stateMachineArn: SM_ARN });
    curate.onSuccess('Done');
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ detail: { status: ['SUCCEEDED'], stateMachineArn: [SM_ARN] } }) });
  });

  test('fails naming each bad attribute; a stream-only import has no run events', () => {
    const stack = testStack();
    const lakehouse = pipelineLakehouse(stack);
    expect(() => EtlPipeline.fromPipelineAttributes(stack, 'None', { lakehouse }))
      .toThrow(/stateMachineArn \(undefined\): or streamArn is required/);
    expect(() => EtlPipeline.fromPipelineAttributes(stack, 'Bad', { lakehouse: 'lake' as never, stateMachineArn: STREAM_ARN, alertTopicArn: 'topic' }))
      .toThrow(/lakehouse \("lake"\): must be an IDataLakehouse[\s\S]*stateMachineArn \("arn:aws:kinesis[^)]*\): must be an ARN of states stateMachine[\s\S]*alertTopicArn \("topic"\)/);
    const streamOnly = EtlPipeline.fromPipelineAttributes(stack, 'Stream', { lakehouse, streamArn: STREAM_ARN });
    expect(() => streamOnly.onSuccess('X')).toThrow(ValidationError);
    expect(() => streamOnly.metricDeliveryFreshness()).toThrow(/metricDeliveryFreshness \("called"\): needs the delivery stream name/);
  });
});

describe('EtlPipeline: bring your own key', () => {
  function build(key: (s: ReturnType<typeof testStack>) => kms.IKey, streaming = false) {
    const stack = testStack({ context: SKIP_BUNDLING });
    const lakehouse = pipelineLakehouse(stack);
    const encryptionKey = key(stack);
    const pipeline = new EtlPipeline(stack, 'Pipeline', {
      lakehouse,
      encryptionKey,
      batch: { script: JOB_SCRIPT, source: { zone: LakehouseZone.RAW, table: 'events' }, target: { zone: LakehouseZone.CURATED, table: 'clean' }, dataQuality: { ruleset: RULESET } },
      streaming: streaming ? { zone: LakehouseZone.RAW } : undefined,
    });
    const ref = (k: kms.IKey) => stack.resolve(k.keyArn);
    return { stack, pipeline, lakeKey: ref(lakehouse.encryptionKey), ownKey: ref(encryptionKey), t: Template.fromStack(stack) };
  }

  test('the own key encrypts the topic, logs, bookmarks and stream; data written to zones stays under the lakehouse key', () => {
    const { pipeline, lakeKey, ownKey, t } = build((s) => new kms.Key(s, 'PipelineKey', { enableKeyRotation: true }), true);
    expect(ownKey).not.toEqual(lakeKey);
    expect(pipeline.encryptionKey).toBeDefined();
    t.hasResourceProperties('AWS::Glue::SecurityConfiguration', {
      EncryptionConfiguration: {
        S3Encryptions: [{ S3EncryptionMode: 'SSE-KMS', KmsKeyArn: lakeKey }],
        CloudWatchEncryption: { CloudWatchEncryptionMode: 'SSE-KMS', KmsKeyArn: ownKey },
        JobBookmarksEncryption: { JobBookmarksEncryptionMode: 'CSE-KMS', KmsKeyArn: ownKey },
      },
    });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    for (const g of Object.values(t.findResources('AWS::Logs::LogGroup')).filter((x) => JSON.stringify(x).includes('Pipeline'))) {
      expect(g.Properties.KmsKeyId).toEqual(ownKey);
    }
    t.hasResourceProperties('AWS::Kinesis::Stream', { StreamEncryption: { EncryptionType: 'KMS', KeyId: ownKey } });
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({ EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: lakeKey } } }),
    });
    // "Setting up encryption in AWS Glue": the job role may use the security configuration's key
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'], Resource: ownKey })]) },
    });
  });

  test('an imported key warns with the statements its policy needs', () => {
    const { stack } = build((s) => kms.Key.fromKeyArn(s, 'PipelineKey', 'arn:aws:kms:us-east-1:123456789012:key/abcd'));
    Annotations.fromStack(stack).hasWarning('/Test/Pipeline', Match.stringLikeRegexp('encryptionKey .* is imported: its key policy cannot be changed.*events\\.amazonaws\\.com'));
  });

  test('fails when encryptionKey is not a key', () => {
    const stack = testStack();
    expect(() => new EtlPipeline(stack, 'P', { lakehouse: pipelineLakehouse(stack), encryptionKey: 'alias/mine' as never, streaming: {} }))
      .toThrow(/encryptionKey \("alias\/mine"\): must be a kms\.IKey/);
  });
});
