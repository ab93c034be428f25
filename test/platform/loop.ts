import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PlatformStage } from '../../lib';
import { platformStacks } from '../helpers/platform';
import { buildDefaultApp } from '../../bin/main';
import { testApp } from '../helpers/app';
import { stateMachineDefinition } from '../helpers/etl';

/** The logical ID of the state machine a construct path part names (e.g. `ChurnTraining`). */
function machineId(template: Template, pathPart: string): string {
  const id = Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).find((k) => k.startsWith(pathPart));
  if (!id) throw new Error(`no state machine under ${pathPart}`);
  return id;
}

/** The rules of a template whose pattern has this detail-type, with their targets. */
interface RuleView {
  readonly pattern: { readonly detail: Record<string, unknown> };
  readonly targets: Array<{ readonly Arn: unknown }>;
}

function rules(template: Template, detailType: string): RuleView[] {
  return Object.values(template.findResources('AWS::Events::Rule'))
    .filter((r) => (r.Properties.EventPattern?.['detail-type'] ?? []).includes(detailType))
    .map((r) => ({ pattern: r.Properties.EventPattern, targets: r.Properties.Targets ?? [] }));
}

/**
 * Follows the loop through the synthesized templates of the default app with every environment:
 * data -> retraining -> registration -> approval -> promotion (staging, then prod after a person
 * approves) -> guarded rollout -> monitoring -> drift alarm -> retraining. Each arrow is an
 * asserted event rule, alarm action or state-machine step. test/app.test.ts calls it with its
 * validated `-c env=all` build, so the loop is checked on the very templates that passed
 * CloudFormation validation and cdk-nag, without a second build.
 */
export function describeLoop(built: () => ReadonlyMap<string, PlatformStage>): void {
  const templates = new Map<Stack, Template>();
  const t = (s: Stack): Template => {
    if (!templates.has(s)) templates.set(s, Template.fromStack(s));
    return templates.get(s)!;
  };
  const stages = { get: (name: string) => built().get(name) };
  const prod = () => stages.get('prod')!;
  const staging = () => stages.get('staging')!;

  describe('the closed loop in prod (the environment that owns the release)', () => {
    test('1. curation (02:00), then the training-set build (03:00) in the data stack; a successful build starts retraining (ML stack)', () => {
      const data = t(prod().dataStack);
      const schedules = Object.entries(data.findResources('AWS::Events::Rule')).filter(([, r]) => r.Properties.ScheduleExpression)
        .map(([, r]) => [r.Properties.ScheduleExpression, JSON.stringify(r.Properties.Targets[0].Arn)]);
      expect(schedules).toEqual(expect.arrayContaining([
        ['cron(0 2 * * ? *)', expect.stringContaining('CurateWorkflow')],
        ['cron(0 3 * * ? *)', expect.stringContaining('BuildTrainingSetWorkflow')],
      ]));
      const ml = t(prod().mlStack);
      const training = machineId(ml, 'ChurnTraining');
      const etl = rules(ml, 'Step Functions Execution Status Change').filter((r) => JSON.stringify(r.pattern.detail.status) === '["SUCCEEDED"]');
      expect(etl).toHaveLength(1);
      expect(JSON.stringify(etl[0].pattern.detail.stateMachineArn)).toMatch(/mlops-prod-data.*BuildTrainingSetWorkflow/);
      expect(etl[0].targets[0].Arn).toEqual({ Ref: training });
    });

    test('2. retraining registers a version pending manual approval, only past its metric gate', () => {
      const ml = t(prod().mlStack);
      const def = stateMachineDefinition(ml, new RegExp(`^${machineId(ml, 'ChurnTraining')}$`));
      const register = Object.values(def.States).find((s) => String(s.Resource).endsWith(':sagemaker:createModelPackage'));
      expect(register).toBeDefined();
      expect(JSON.stringify(register)).toContain('PendingManualApproval');
      expect(JSON.stringify(def.States)).toMatch(/auc/);
    });

    test('3. approval in the registry starts the promotion workflow', () => {
      const ml = t(prod().mlStack);
      // The registry's own approval and rejection rules deliver to its decision log; the promotion rule starts a state machine.
      const approved = rules(ml, 'SageMaker Model Package State Change').filter((r) => r.targets.some((x) => JSON.stringify(x.Arn).includes('Promotion')));
      expect(approved).toHaveLength(1);
      expect(approved[0].pattern.detail).toEqual(expect.objectContaining({ ModelApprovalStatus: ['Approved'], ModelPackageGroupName: ['mlops-prod-churn'] }));
      expect(approved[0].targets[0].Arn).toEqual({ Ref: machineId(ml, 'ChurnPromotion') });
    });

    test('4. promotion updates staging, waits for a person, then updates prod', () => {
      const ml = t(prod().mlStack);
      const def = stateMachineDefinition(ml, new RegExp(`^${machineId(ml, 'ChurnPromotion')}$`));
      const names = Object.keys(def.States);
      const order = ['staging: Write approved version', 'staging: Update serving stack', 'prod: Wait for approval', 'prod: Write approved version', 'prod: Update serving stack'];
      for (const n of order) expect(names).toContain(n);
      expect(JSON.stringify(def.States['staging: Update serving stack'])).toContain('mlops-staging-serving');
      expect(JSON.stringify(def.States['prod: Update serving stack'])).toContain('mlops-prod-serving');
      expect(JSON.stringify(def.States['staging: Write approved version'])).toContain('/mlops/staging/models/churn/approved-package-arn');
      expect(String(def.States['prod: Wait for approval'].Resource)).toMatch(/waitForTaskToken/);
      // Reachability: prod is only reached through the staging rollout and the approval.
      const reach = (from: string, to: string): boolean => {
        const seen = new Set<string>();
        const walk = (s: string): boolean => {
          if (s === to) return true;
          if (seen.has(s) || !def.States[s]) return false;
          seen.add(s);
          const st = def.States[s] as { Next?: string; Default?: string; Choices?: Array<{ Next: string }>; Catch?: Array<{ Next: string }> };
          const next = [st.Next, st.Default, ...(st.Choices ?? []).map((c) => c.Next), ...(st.Catch ?? []).map((c) => c.Next)];
          return next.filter((n): n is string => n !== undefined).some(walk);
        };
        return walk(from);
      };
      expect(reach(def.StartAt, 'staging: Update serving stack')).toBe(true);
      expect(reach('staging: Update serving stack', 'prod: Wait for approval')).toBe(true);
      expect(reach('prod: Wait for approval', 'prod: Update serving stack')).toBe(true);
      expect(reach(def.StartAt, 'prod: Update serving stack')).toBe(true);
      expect(reach('prod: Update serving stack', 'staging: Update serving stack')).toBe(false);
    });

    test('5. each serving stack reads its approved version from SSM at deploy time, behind a blue/green rollout valid for its fleet with alarm rollback', () => {
      for (const [stage, env] of [[staging(), 'staging'], [prod(), 'prod']] as const) {
        const serving = t(stage.servingStacks[0]);
        const params = Object.values(serving.toJSON().Parameters as Record<string, { Type: string; Default?: string }>);
        expect(params).toEqual(expect.arrayContaining([
          expect.objectContaining({ Type: 'AWS::SSM::Parameter::Value<String>', Default: `/mlops/${env}/models/churn/approved-package-arn` }),
        ]));
        const endpoint = Object.values(serving.findResources('AWS::SageMaker::Endpoint'))[0];
        // Staging serves one instance (a canary cannot be at most half of it): all at once with bake and rollback; prod's two: a one-instance canary.
        expect(endpoint.Properties.DeploymentConfig.BlueGreenUpdatePolicy.TrafficRoutingConfiguration.Type).toBe(env === 'staging' ? 'ALL_AT_ONCE' : 'CANARY');
        expect(endpoint.Properties.DeploymentConfig.AutoRollbackConfiguration.Alarms.length).toBeGreaterThanOrEqual(3);
      }
    });

    test('5b. staging serves what prod\'s registry released: it imports the prod registry through SSM, not a reference', () => {
      const params = Object.values(t(staging().servingStacks[0]).toJSON().Parameters as Record<string, { Default?: string }>).map((p) => p.Default);
      expect(params).toEqual(expect.arrayContaining([expect.stringMatching(/^\/mlops\/prod\/registry\//)]));
      expect(JSON.stringify(t(staging().servingStacks[0]).toJSON())).not.toMatch(/Fn::ImportValue.*mlops-prod/);
    });

    test('6. monitoring watches the endpoint: a composite model-health alarm notifies the topic, rollbacks are reported', () => {
      const mon = t(prod().monitoringStack);
      const topic = Object.keys(mon.findResources('AWS::SNS::Topic'))[0];
      mon.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
        AlarmRule: Match.anyValue(),
        AlarmActions: [{ Ref: topic }],
      });
      mon.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'Invocation5XXErrors',
        Dimensions: Match.arrayWith([{ Name: 'EndpointName', Value: 'mlops-prod-churn' }]),
      });
      const rolledBack = rules(mon, 'CloudFormation Stack Status Change');
      expect(JSON.stringify(rolledBack[0].pattern)).toContain('stack/mlops-prod-serving/');
      expect((rolledBack[0].pattern.detail['status-details'] as { status: string[] }).status).toEqual(['UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED']);
      expect(rolledBack[0].targets[0].Arn).toEqual({ Ref: topic });
    });

    test('7. drift: one scheduled drift job per endpoint in staging and prod (none in serverless dev), no SageMaker Model Monitor (closed to new customers)', () => {
      // SageMaker developer guide, "Model Monitor availability change": no new customers since 2026-07-30;
      // a refusal would roll back the monitoring stack. Drift is the platform's own Glue job
      // (opt-in Model Monitor: examples/multi-environment.ts, in a stack of its own).
      for (const stage of [prod(), staging(), stages.get('dev')!]) {
        expect(stage.modelMonitorStack).toBeUndefined();
        for (const s of [...stage.mlStacks, ...stage.servingStacks, ...stage.monitoringStacks]) {
          const types = Object.values(t(s).toJSON().Resources as Record<string, { Type: string }>).map((r) => r.Type);
          expect(types.filter((x) => x === 'AWS::SageMaker::MonitoringSchedule' || x.endsWith('JobDefinition'))).toEqual([]);
        }
        const mon = t(stage.monitoringStack);
        if (stage.environmentName === 'dev') {
          // Dev serves serverless (issue 18): SageMaker captures nothing there, so there is no drift job;
          // dev retrains on its schedule and on new training sets (test/platform/default-app.test.ts).
          expect(Object.keys(mon.findResources('AWS::Glue::Job'))).toEqual([]);
          continue;
        }
        expect(Object.keys(mon.findResources('AWS::Glue::Job'))).toHaveLength(stage.endpoints.size);
        const triggers = Object.values(mon.findResources('AWS::Glue::Trigger'));
        expect(triggers.map((x) => [x.Properties.Type, x.Properties.StartOnCreation])).toEqual([...stage.endpoints.keys()].map(() => ['SCHEDULED', true]));
        const job = Object.values(mon.findResources('AWS::Glue::Job'))[0].Properties.DefaultArguments;
        expect(job['--endpoint_name']).toBe(`mlops-${stage.environmentName}-churn`);
        // The drift of each declared feature of the data contract is on the dashboard, with the Feature dimension.
        const joined = Object.values(mon.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody['Fn::Join'][1] as unknown[];
        const body = joined.map((p) => (typeof p === 'string' ? p : 'REF')).join('');
        for (const f of stage.trainings.get('churn')!.featureNames!) expect(body).toContain(`"FeatureDrift","EndpointName","mlops-${stage.environmentName}-churn","Feature","${f}"`);
      }
    });

    test('8. the drift and quality alarms start retraining by name; the ML stack never depends on the monitoring stack', () => {
      const watch = prod().monitoringStack.endpointWatches.get('Churn')!.drift!;
      const mon = t(prod().monitoringStack);
      // The drift alarm reads the platform's drift metric of each declared feature (endpoint and feature dimensions).
      const [drift] = Object.values(mon.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: watch.driftAlarmName } }));
      expect(drift.Properties.ComparisonOperator).toBe('GreaterThanOrEqualToThreshold');
      const read = (drift.Properties.Metrics as Array<{ MetricStat?: { Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: string }> } } }>)
        .filter((q) => q.MetricStat).map((q) => q.MetricStat!.Metric);
      expect(read.map((m) => [m.Namespace, m.MetricName, m.Dimensions.find((d) => d.Name === 'EndpointName')?.Value, m.Dimensions.find((d) => d.Name === 'Feature')?.Value]))
        .toEqual(['tenure', 'monthly_charges', 'support_calls'].map((f) => ['MLOpsPlatform/ModelMonitoring', 'FeatureDrift', 'mlops-prod-churn', f]));
      mon.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: watch.qualityAlarmName, MetricName: 'ModelQuality', Dimensions: Match.arrayWith([{ Name: 'Metric', Value: 'auc' }]),
        ComparisonOperator: 'LessThanOrEqualToThreshold',
      });
      const ml = t(prod().mlStack);
      const training = machineId(ml, 'ChurnTraining');
      const byAlarm = rules(ml, 'CloudWatch Alarm State Change');
      expect(byAlarm.map((r) => r.pattern.detail.alarmName).sort()).toEqual([[watch.driftAlarmName], [watch.qualityAlarmName]].sort());
      for (const r of byAlarm) expect(r.targets[0].Arn).toEqual({ Ref: training });
      expect(prod().mlStack.dependencies).not.toContain(prod().monitoringStack);
    });
  });

  describe('stateful resources of the platform stacks', () => {
    // Their logical IDs are the public contract: a change here replaces (and, retained, orphans) data.
    const PINNED: Record<string, Record<string, string[]>> = {
      data: {
        'AWS::S3::Bucket': ['LakehouseAccessLogBucket3A2A7007', 'LakehouseAnalyticsBucketB22225FF', 'LakehouseCuratedBucket9A6A9A13', 'LakehouseRawBucketC1ABC3EB'],
        'AWS::KMS::Key': ['EventDeadLettersKey62B0E3BA', 'LakehouseKey97C6ABC5'],
        'AWS::Glue::Database': ['LakehouseAnalyticsDatabaseECD2D835', 'LakehouseCuratedDatabase732E274C', 'LakehouseRawDatabase57AC65EC'],
        'AWS::Glue::Table': ['LakehouseTablescuratedeventsclean9997B2CB', 'LakehouseTablescuratedtrainingsamplesB4D478F1', 'LakehouseTablesrawevents1C3A0A75'],
        'AWS::Kinesis::Stream': ['IngestStreamingStream4016ACC9'],
      },
      ml: {
        'AWS::S3::Bucket': ['RegistryAccessLogBucketA175D8BB', 'RegistryArtifactBucketE7127E99'],
        'AWS::KMS::Key': ['EventDeadLettersKey62B0E3BA', 'Key961B73FD', 'RegistryKey1053ED4C'],
        'AWS::SageMaker::ModelPackageGroup': ['RegistryModelPackageGroupschurn41A4D483'],
        'AWS::ECR::Repository': ['RegistryInferenceRepository99D60B47', 'RegistryTrainingRepository94BF42BE'],
      },
      serving: { 'AWS::KMS::Key': ['ChurnKey4F4E816B'] },
      monitoring: { 'AWS::KMS::Key': ['EventDeadLettersKey62B0E3BA', 'Key961B73FD'] },
    };

    test.each(['staging', 'prod'] as const)('%s: logical IDs are pinned and every one is retained', (env) => {
      const stage = stages.get(env)!;
      const stacks = { data: stage.dataStack, ml: stage.mlStack, serving: stage.servingStacks[0], monitoring: stage.monitoringStack };
      for (const [kind, byType] of Object.entries(PINNED)) {
        const template = t(stacks[kind as keyof typeof stacks]);
        for (const [type, ids] of Object.entries(byType)) {
          expect({ kind, type, ids: Object.keys(template.findResources(type)).sort() }).toEqual({ kind, type, ids });
          for (const r of Object.values(template.findResources(type))) expect(r.DeletionPolicy).toBe('Retain');
        }
      }
    });
  });

  describe('the other environments', () => {
    test('dev promotes its own approvals to its own serving stack, without a person', () => {
      const ml = t(stages.get('dev')!.mlStack);
      const def = stateMachineDefinition(ml, new RegExp(`^${machineId(ml, 'ChurnPromotion')}$`));
      expect(Object.keys(def.States).some((n) => n.startsWith('staging') || n.startsWith('prod'))).toBe(false);
      expect(Object.keys(def.States)).not.toContain('dev: Wait for approval');
    });

    test('staging promotes nowhere and its drift only notifies (its registry does not feed its endpoints)', () => {
      const ml = t(staging().mlStack);
      expect(Object.keys(ml.findResources('AWS::StepFunctions::StateMachine')).some((id) => id.includes('Promotion'))).toBe(false);
      expect(rules(ml, 'CloudWatch Alarm State Change')).toHaveLength(0);
    });
  });

  describe('the default app', () => {
    test('builds only the dev stage when given no context, with stacks split by lifecycle', () => {
      const dev = buildDefaultApp(testApp()).stages;
      expect([...dev.keys()]).toEqual(['dev']);
      expect(platformStacks(dev.get('dev')!).map((s) => s.stackName)).toEqual(['mlops-foundation', 'mlops-dev-data', 'mlops-dev-ml', 'mlops-dev-serving', 'mlops-dev-monitoring']);
    });

    test('builds several environments from a comma-separated list', () => {
      expect([...buildDefaultApp(testApp({ env: 'prod,staging' })).stages.keys()]).toEqual(['staging', 'prod']);
    });

    test('tags every resource with project, environment, owner and cost centre', () => {
      t(stages.get('dev')!.dataStack).hasResourceProperties('AWS::S3::Bucket', { Tags: [
        { Key: 'CostCenter', Value: 'ml-dev' }, { Key: 'Environment', Value: 'dev' }, { Key: 'Owner', Value: 'ml-platform' }, { Key: 'Project', Value: 'mlops' },
      ] });
    });

    test('the data stack holds the lakehouse and a streaming and a batch pipeline into it', () => {
      const data = t(stages.get('dev')!.dataStack);
      data.resourceCountIs('AWS::S3::Bucket', 4);
      data.resourceCountIs('AWS::Kinesis::Stream', 1);
      data.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
      data.resourceCountIs('AWS::Glue::Job', 2);
      data.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 2 * * ? *)' });
    });

    test('the stacks are environment-agnostic, so synth needs no credentials', () => {
      for (const s of platformStacks(stages.get('prod')!)) expect(s.environment).toBe('aws://unknown-account/unknown-region');
    });
  });
}
