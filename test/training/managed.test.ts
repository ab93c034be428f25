import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { EtlPipeline, LakehouseZone } from '../../lib';
import { MetricGoal, RetrainTrigger, TrainingCluster, TrainingClusterProps } from '../../lib/training';
import { testStack } from '../helpers/app';
import { JOB_SCRIPT, RULESET, stateMachineDefinition } from '../helpers/etl';
import { managedOptions, trainingInputs } from './helpers-training';
import { resolvePinned } from './managed-pinned';

type Extra = Omit<TrainingClusterProps, 'lakehouse' | 'registry' | 'model'>;

const built = new Map<string, { stack: Stack; training: TrainingCluster; template: Template }>();

function build(extra: Extra = { managed: managedOptions() }, configure?: (t: TrainingCluster, stack: Stack) => void) {
  const key = configure ? undefined : JSON.stringify(extra);
  const cached = key ? built.get(key) : undefined;
  if (cached) return cached;
  const stack = testStack();
  const { lakehouse, registry } = trainingInputs(stack);
  const training = new TrainingCluster(stack, 'Training', { lakehouse, registry, model: 'churn', ...extra });
  configure?.(training, stack);
  const result = { stack, training, template: Template.fromStack(stack) };
  if (key) built.set(key, result);
  return result;
}

type State = Record<string, unknown> & { Parameters?: Record<string, unknown> };

describe('TrainingCluster network', () => {
  const { template } = build();

  test('creates a VPC with private isolated subnets only, no NAT or internet gateway', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    for (const subnet of Object.values(template.findResources('AWS::EC2::Subnet'))) {
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
    }
  });

  test('adds the S3 gateway endpoint and the interface endpoints SageMaker, ECR, logs, metrics, STS and KMS need', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway', ServiceName: Match.objectLike({}) });
    const services = Object.values(template.findResources('AWS::EC2::VPCEndpoint'))
      .filter((e) => e.Properties.VpcEndpointType === 'Interface')
      .map((e) => String(e.Properties.ServiceName).replace(/^com\.amazonaws\.us-east-1\./, ''));
    expect(services.sort()).toEqual(['ecr.api', 'ecr.dkr', 'kms', 'logs', 'monitoring', 'sagemaker.api', 'sagemaker.runtime', 'sts'].sort());
  });

  test('logs VPC flows to an encrypted log group', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
  });

  test('the job security group allows only traffic within itself in, HTTPS out', () => {
    const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup'))
      .filter((g) => g.Properties.GroupDescription === 'SageMaker training and processing jobs');
    expect(groups).toHaveLength(1);
    expect(groups[0].Properties.SecurityGroupIngress).toBeUndefined();
    expect(groups[0].Properties.SecurityGroupEgress.map((e: { FromPort: number }) => e.FromPort)).toEqual([443, 443]);
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { IpProtocol: '-1', SourceSecurityGroupId: Match.anyValue() });
  });

  test('a given VPC is used instead of creating one', () => {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Existing', { natGateways: 0, subnetConfiguration: [{ name: 'iso', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const { lakehouse, registry } = trainingInputs(stack);
    const training = new TrainingCluster(stack, 'Training', { lakehouse, registry, model: 'churn', vpc, managed: managedOptions() });
    expect(training.vpc).toBe(vpc);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
  });
});

describe('TrainingCluster managed workflow', () => {
  const { template } = build();
  const def = stateMachineDefinition(template);
  const states = resolvePinned(def.States as Record<string, State>);

  test('export -> check -> prepare -> baseline -> train -> evaluate -> read the report -> gate -> register', () => {
    expect(def.StartAt).toBe('Init');
    const order: string[] = [];
    // A fresh run (Reproduce? takes its Default) on a table whose versions fit one page (MoreDataVersions?
    // takes its Default); lineage.test.ts follows the reproduce branch, lineage-hive.test.ts the manifest loop.
    const next = (name: string) => (name === 'Reproduce?' || name === 'MoreDataVersions?' ? states[name].Default : states[name].Next ?? (states[name].Choices as Array<{ Next: string }> | undefined)?.[0].Next) as string | undefined;
    for (let s: string | undefined = 'Init'; s && order.length < 40; s = next(s)) order.push(s);
    expect(order).toEqual(['Init', 'HasTrigger?', 'Reproduce?', 'PinCurrent', 'DataManifestStart', 'ListDataVersions', 'HasVersions?', 'DataManifestPage',
      'WriteDataManifestPage', 'MoreDataVersions?', 'DataManifestDone', 'PinDataVersion', 'Export', 'CheckExport', 'HasData?', 'Prepare', 'Baseline', 'Train', 'Evaluate', 'ReadEvaluation', 'MetricPasses?',
      'ComposeLineage', 'WriteLineage', 'Register', 'LineageContext', 'DataArtifact', 'CodeArtifact', 'ImageArtifact', 'LinkData', 'LinkCode', 'LinkImage', 'Registered']);
    expect(states['HasData?'].Default).toBe('NoTrainingData');
    expect(states['MetricPasses?'].Default).toBe('BelowThreshold');
    expect(states.Register.Next).toBe('LineageContext');
    expect(states.BelowThreshold).toMatchObject({ Type: 'Fail', Error: 'ModelBelowThreshold' });
  });

  test('the training job: managed spot with checkpoints and max wait, VPC, isolation, KMS volume and output', () => {
    expect(states.Train.Resource).toBe('arn:aws:states:::sagemaker:createTrainingJob.sync');
    const p = states.Train.Parameters!;
    expect(p).toMatchObject({
      EnableManagedSpotTraining: true,
      EnableNetworkIsolation: true,
      EnableInterContainerTrafficEncryption: false,
      StoppingCondition: { MaxRuntimeInSeconds: 4 * 3600, MaxWaitTimeInSeconds: 8 * 3600 },
      ResourceConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 50, VolumeKmsKeyId: expect.stringMatching(/^\$\{RegistryKey.*\.Arn\}$/) },
      OutputDataConfig: { KmsKeyId: expect.stringMatching(/RegistryKey/) },
      VpcConfig: { SecurityGroupIds: [expect.stringMatching(/TrainingNetworkJobSecurityGroup/)], Subnets: expect.arrayContaining([expect.stringMatching(/Subnet/)]) },
      AlgorithmSpecification: { TrainingInputMode: 'File', TrainingImage: '683313688378.dkr.ecr.us-east-1.${AWS::URLSuffix}/sagemaker-xgboost:1.7-1' },
    });
    expect(p.CheckpointConfig).toMatchObject({ 'LocalPath': '/opt/ml/checkpoints', 'S3Uri.$': expect.stringMatching(/models\/churn\/runs\/\{\}\/checkpoints\//) });
    expect(p['TrainingJobName.$']).toBe("States.Format('churn-t-{}', $.run.id)");
    expect(states.Train.TimeoutSeconds).toBe(8 * 3600 + 1800);
  });

  test('processing jobs run in the VPC with network isolation and encrypted volumes and outputs', () => {
    for (const name of ['Prepare', 'Baseline', 'Evaluate']) {
      expect(states[name].Resource).toBe('arn:aws:states:::sagemaker:createProcessingJob.sync');
      expect(states[name].Parameters).toMatchObject({
        NetworkConfig: { EnableNetworkIsolation: true, EnableInterContainerTrafficEncryption: false, VpcConfig: expect.any(Object) },
        ProcessingResources: { ClusterConfig: { InstanceType: 'ml.m5.xlarge', InstanceCount: 1, VolumeSizeInGB: 30, VolumeKmsKeyId: expect.stringMatching(/RegistryKey/) } },
        ProcessingOutputConfig: { KmsKeyId: expect.stringMatching(/RegistryKey/) },
        StoppingCondition: { MaxRuntimeInSeconds: 3600 },
      });
    }
    // Prepare reads the run's export (item 7), not the table location with superseded snapshots.
    expect(JSON.stringify(states.Prepare.Parameters)).not.toMatch(/LakeCuratedBucket/);
    // A Hive source: the export is pinned (PinDataVersion on a fresh run, the recorded one on a reproduce run).
    const rawInputs = (def.States as Record<string, State>).Prepare.Parameters!.ProcessingInputs as Array<{ InputName: string; S3Input: Record<string, unknown> }>;
    expect(rawInputs.find((i) => i.InputName === 'data')!.S3Input['S3Uri.$']).toBe('$.pinned.data.export');
    expect((def.States as Record<string, State>).PinDataVersion.Parameters).toMatchObject({
      'export.$': expect.stringMatching(/^States.Format\('s3:\/\/\$\{LakeAnalyticsBucket\w+\}\/training-exports\/churn\/\{\}\/', \$.run.id\)$/),
    });
    expect(JSON.stringify(states.Evaluate.Parameters)).toMatch(/"S3Uri.\$":"\$\.train\.ModelArtifacts"/);
  });

  test('the gate compares the evaluation metric with the threshold', () => {
    expect(states['MetricPasses?'].Choices).toEqual([expect.objectContaining({
      And: [
        { Variable: '$.evaluation.report.metrics.auc', IsPresent: true },
        { Variable: '$.evaluation.report.metrics.auc', IsNumeric: true },
        { Variable: '$.evaluation.report.metrics.auc', NumericGreaterThanEquals: 0.8 },
      ],
      Next: 'ComposeLineage',
    })]);
  });

  test('registration is a PendingManualApproval package in the model group with its metrics', () => {
    expect(states.Register.Resource).toBe('arn:aws:states:::aws-sdk:sagemaker:createModelPackage');
    expect(states.Register.Parameters).toMatchObject({
      ModelApprovalStatus: 'PendingManualApproval',
      ModelPackageGroupName: 'mlops-prod-churn',
      ModelMetrics: { ModelQuality: { Statistics: { 'ContentType': 'application/json', 'S3Uri.$': expect.stringMatching(/evaluation\/evaluation\.json/) } } },
      CustomerMetadataProperties: expect.objectContaining({ 'metric': 'auc', 'metric-value.$': "States.Format('{}', $.evaluation.report.metrics.auc)" }),
      InferenceSpecification: { Containers: [{ 'Image': expect.stringMatching(/sagemaker-xgboost:1\.7-1$/), 'ModelDataUrl.$': '$.train.ModelArtifacts' }] },
    });
  });

  test('the baseline step runs the library\'s model_stats.py (not a user script) with the declared features; categorical ones named', () => {
    const { template: t } = build({ managed: { ...managedOptions(), categoricalFeatures: ['monthly_charges'] } });
    const st = resolvePinned(stateMachineDefinition(t).States as Record<string, State>);
    const app = st.Baseline.Parameters!.AppSpecification as Record<string, unknown>;
    expect(app.ContainerArguments).toEqual(['baseline', '--train', '/opt/ml/processing/input/data', '--features', 'tenure,monthly_charges',
      '--categorical', 'monthly_charges', '--out', '/opt/ml/processing/output']);
    expect(app.ImageUri).toBe(states.Prepare.Parameters!.AppSpecification && (states.Prepare.Parameters!.AppSpecification as Record<string, unknown>).ImageUri);
    expect(st.Baseline.Parameters!['ProcessingJobName.$']).toBe("States.Format('churn-b-{}', $.run.id)");
  });

  test('the orchestrator may run the baseline job (and only the workflow\'s job names)', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown }>)
      .filter((st) => ([] as string[]).concat(st.Action).includes('sagemaker:CreateProcessingJob'));
    expect(statements).toHaveLength(1);
    expect(JSON.stringify(statements[0].Resource)).toMatch(/processing-job\/churn-b-\*/);
  });

  test('every task has a timeout, retries with backoff and ends in a Fail state on error', () => {
    const tasks = Object.entries(states).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([n]) => n).sort()).toEqual(['Baseline', 'CheckExport', 'CodeArtifact', 'DataArtifact', 'DescribeRecorded', 'Evaluate', 'Export', 'ImageArtifact',
      'LineageContext', 'LinkCode', 'LinkData', 'LinkImage', 'ListDataVersions', 'ListMoreDataVersions', 'Prepare', 'ReadEvaluation', 'ReadRecordedLineage', 'Register', 'Train',
      'WriteDataManifestPage', 'WriteLineage']);
    for (const [name, s] of tasks) {
      expect([name, typeof s.TimeoutSeconds]).toEqual([name, 'number']);
      expect((s.Retry as Array<Record<string, unknown>>)[0]).toMatchObject({ BackoffRate: 2, MaxAttempts: 4, JitterStrategy: 'FULL' });
      expect(states[(s.Catch as Array<{ Next: string }>)[0].Next].Type).toBe('Fail');
    }
    expect(def.TimeoutSeconds).toBe(12 * 3600);
  });

  test('logs ALL to an encrypted log group and traces', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
    });
  });

  test('IAM: no wildcard actions; jobs pass only to SageMaker; jobs scoped to the model prefix', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>);
    expect(statements.flatMap((s) => ([] as string[]).concat(s.Action)).filter((a) => a === '*' || a.endsWith(':*'))).toEqual([]);
    const pass = statements.find((s) => ([] as string[]).concat(s.Action).includes('iam:PassRole'))!;
    expect(pass.Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } });
    // The registry's approval gate is the orchestrator's only way to register a version.
    const registers = statements.filter((s) => ([] as string[]).concat(s.Action).includes('sagemaker:CreateModelPackage'));
    expect(registers.length).toBeGreaterThan(0);
    for (const r of registers) expect(r.Condition).toEqual({ StringEquals: { 'sagemaker:ModelApprovalStatus': 'PendingManualApproval' } });
    const train = statements.find((s) => ([] as string[]).concat(s.Action).includes('sagemaker:CreateTrainingJob'))!;
    expect(train.Resource).toBe('arn:aws:sagemaker:us-east-1:123456789012:training-job/churn-t-*');
  });
});

describe('TrainingCluster options', () => {
  test('more than one instance encrypts inter-container traffic; spot off drops max wait and checkpoints', () => {
    const { template } = build({ managed: managedOptions({ training: { instanceCount: 2, spot: false, maxRuntime: Duration.hours(2), instanceType: 'ml.g5.2xlarge' } }) });
    const p = (stateMachineDefinition(template).States as Record<string, State>).Train.Parameters!;
    expect(p).toMatchObject({ EnableInterContainerTrafficEncryption: true, EnableManagedSpotTraining: false, StoppingCondition: { MaxRuntimeInSeconds: 7200 } });
    expect((p.StoppingCondition as Record<string, unknown>).MaxWaitTimeInSeconds).toBeUndefined();
    expect(p.CheckpointConfig).toBeUndefined();
  });

  test('a minimized metric passes at or below the threshold', () => {
    const { template } = build({ managed: managedOptions({ evaluate: { script: managedOptions().evaluate.script, metric: 'rmse', threshold: 3.5, goal: MetricGoal.MINIMIZE } }) });
    const choice = (stateMachineDefinition(template).States as Record<string, State>)['MetricPasses?'];
    expect(JSON.stringify(choice)).toMatch(/"NumericLessThanEquals":3\.5/);
  });
});

describe('TrainingCluster triggers, alerts and metrics', () => {
  test('a schedule, an ETL success and an alarm start the workflow; failures alert the topic', () => {
    const { template } = build({ managed: managedOptions(), schedule: 'rate(7 days)' }, (training, stack) => {
      const lakehouse = stack.node.findChild('Lake') as never;
      const etl = new EtlPipeline(stack, 'Curate', {
        lakehouse,
        batch: { script: JOB_SCRIPT, source: { zone: LakehouseZone.CURATED, table: 'samples' }, target: { zone: LakehouseZone.CURATED, table: 'samples' }, dataQuality: { ruleset: RULESET } },
      });
      training.retrainOn('NewData', RetrainTrigger.onEtlSuccess(etl));
      const alarm = new cloudwatch.Alarm(stack, 'Drift', { metric: new cloudwatch.Metric({ namespace: 'X', metricName: 'Y' }), threshold: 1, evaluationPeriods: 1 });
      training.retrainOn('Drift', RetrainTrigger.onAlarm(alarm));
    });
    const workflow = { Arn: { Ref: Match.stringLikeRegexp('TrainingWorkflow') } };
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(7 days)', Targets: [Match.objectLike(workflow)] });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'], 'detail': { status: ['SUCCEEDED'], stateMachineArn: [{ Ref: Match.stringLikeRegexp('CurateWorkflow') }] } },
      Targets: [Match.objectLike(workflow)],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], 'resources': [{ 'Fn::GetAtt': [Match.stringLikeRegexp('Drift'), 'Arn'] }], 'detail': { state: { value: ['ALARM'] } } },
      Targets: [Match.objectLike(workflow)],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [{ Ref: Match.stringLikeRegexp('TrainingWorkflow') }] } }),
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('TrainingAlerts') } })],
    });
  });

  test('metrics come from the workflow', () => {
    const { training } = build();
    expect(training.metricRunsFailed().metricName).toBe('ExecutionsFailed');
    expect(training.metricRunsSucceeded().metricName).toBe('ExecutionsSucceeded');
    expect(training.metricRunTime().statistic).toBe('Average');
  });
});
