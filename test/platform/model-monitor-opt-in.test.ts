import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildMultiEnvironmentExample } from '../../examples/multi-environment';
import { PlatformStage } from '../../lib';
import { SKIP_BUNDLING, testApp, validationViolations } from '../helpers/app';

/** The multi-environment example (prod) opts its models into SageMaker Model Monitor. */
describe('opt-in Model Monitor (examples/multi-environment.ts, prod)', () => {
  let app: App;
  let prod: PlatformStage;
  beforeAll(() => {
    app = testApp({ ...SKIP_BUNDLING, env: 'prod' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    prod = (buildMultiEnvironmentExample(app) as Map<string, PlatformStage>).get('prod')!;
    app.synth();
  });

  test('synthesizes with zero validation findings and zero unacknowledged cdk-nag findings', () => {
    expect(validationViolations(app)).toEqual([]);
  });

  test('Model Monitor lives in retail-prod-model-monitor, deployed after the monitoring stack; the monitoring stack holds none of it', () => {
    const mm = prod.modelMonitorStack!;
    expect(mm.stackName).toBe('retail-prod-model-monitor');
    expect(mm.dependencies).toContain(prod.monitoringStack);
    const t = Template.fromStack(mm);
    expect(Object.keys(t.findResources('AWS::SageMaker::MonitoringSchedule')).length).toBeGreaterThanOrEqual(2);
    const mon = Template.fromStack(prod.monitoringStack).toJSON().Resources as Record<string, { Type: string }>;
    expect(Object.values(mon).map((r) => r.Type).filter((x) => x.startsWith('AWS::SageMaker::'))).toEqual([]);
    // The drift job runs anyway: a refusal of Model Monitor leaves drift, alarms and dashboard in place.
    expect(Object.keys(Template.fromStack(prod.monitoringStack).findResources('AWS::Glue::Job'))).toHaveLength(prod.endpoints.size);
  });

  test('its drift and quality alarms notify the monitoring stack\'s topic and start retraining, by name', () => {
    const churn = prod.modelMonitors.get('churn')!;
    const t = Template.fromStack(prod.modelMonitorStack!);
    const drift = Object.values(t.findResources('AWS::CloudWatch::Alarm')).find((a) => a.Properties.AlarmName === churn.driftAlarmName)!;
    expect(JSON.stringify(drift.Properties.AlarmActions)).toMatch(/retail-prod-monitoring.*AlarmTopic/);
    const ml = JSON.stringify(Template.fromStack(prod.mlStack).findResources('AWS::Events::Rule'));
    expect(ml).toContain(`"alarmName":["${churn.driftAlarmName}"]`);
    expect(ml).toContain(`"alarmName":["${churn.qualityAlarmName}"]`);
  });
});
