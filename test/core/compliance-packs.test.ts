import * as fs from 'fs';
import * as path from 'path';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, HIPAASecurityChecks, NIST80053R5Checks } from 'cdk-nag';
import { CompliancePackName, PlatformStage, RegulatedWorkloads, ValidationError } from '../../lib';
import { buildDefaultApp } from '../../bin/main';
import { SKIP_BUNDLING, TEST_ENV, testApp } from '../helpers/app';
import { platformStacks } from '../helpers/platform';

interface Violation {
  readonly ruleName: string;
  readonly description: string;
  readonly severity: string;
  readonly violatingConstructs: Array<{ constructPath: string }>;
  readonly acknowledgedId?: string;
  readonly reason?: string;
  readonly acknowledgedAt?: string;
}
interface PluginReport { readonly pluginName: string; readonly violations: Violation[]; readonly suppressedViolations?: Violation[] }

/** Synthesizes (a failing synth still writes the report) and returns the plugin reports of validation-report.json. */
function synthReport(app: App): PluginReport[] {
  try {
    app.synth();
  } catch {
    // Unacknowledged findings fail synth; the report says which.
  }
  const file = path.join(app.outdir, 'validation-report.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { pluginReports: PluginReport[] }).pluginReports
    .filter((r) => r.pluginName !== 'Construct Annotations');
}

/** `<rule> <construct path>` of every unacknowledged finding. */
function findings(reports: PluginReport[]): string[] {
  return reports.flatMap((r) => r.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`))).sort();
}

const PACKS = [CompliancePackName.NIST_800_53_R5, CompliancePackName.HIPAA_SECURITY];

describe('prod platform stage with NIST 800-53 rev 5 and HIPAA Security', () => {
  let reports: PluginReport[];
  let stage: PlatformStage;
  beforeAll(() => {
    const app = testApp({ ...SKIP_BUNDLING, env: 'prod' });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    RegulatedWorkloads.apply(app, { plugins: [new NIST80053R5Checks(app), new HIPAASecurityChecks(app)] });
    stage = buildDefaultApp(app).stages.get('prod')!;
    reports = synthReport(app);
  });

  test('all three packs ran', () => {
    expect(reports.map((r) => r.pluginName).sort()).toEqual(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5']);
    // They checked the prod stage: its acknowledged findings are there.
    for (const pack of PACKS) expect(reports.find((r) => r.pluginName === pack)!.suppressedViolations!.length).toBeGreaterThan(0);
  });

  test('zero unacknowledged errors and warnings; AwsSolutions stays at zero', () => {
    expect(findings(reports)).toEqual([]);
  });

  test('each acknowledgement is on the exact resource, names the rule and a control of that finding, and says why', () => {
    const acknowledged = reports.filter((r) => PACKS.includes(r.pluginName)).flatMap((r) => r.suppressedViolations ?? []);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const v of acknowledged) {
      const pack = v.ruleName.split('-')[0];
      expect(v.acknowledgedId).toBe(`${pack}::${v.ruleName}`);
      for (const c of v.violatingConstructs) expect(c.constructPath).toBe(v.acknowledgedAt);
      // "<pack> <control> (<control title>): accepted because <why>", the control one the finding lists.
      const m = /^(\S+) (\S+) \([^)]+\): accepted because .{40,}/.exec(v.reason ?? '');
      expect(m).not.toBeNull();
      expect(m![1]).toBe(pack);
      expect(v.description).toContain(m![2]);
    }
  });

  test('the acknowledged findings are exactly these (a new acknowledgement shows in review)', () => {
    const acknowledged = reports.filter((r) => PACKS.includes(r.pluginName)).flatMap((r) => r.suppressedViolations ?? [])
      .map((v) => `${v.ruleName} ${v.acknowledgedAt}: ${v.reason}`).sort();
    expect(acknowledged).toMatchSnapshot();
  });

  test('every alarm notifies, or feeds a composite alarm or an endpoint rollback that does', () => {
    const templates = platformStacks(stage).map((s) => ({ stack: s, template: Template.fromStack(s).toJSON() as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> } }));
    const rules = templates.flatMap(({ template }) => Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule'));
    let checked = 0;
    for (const { stack, template } of templates) {
      const resources = Object.entries(template.Resources);
      const notifies = (p: Record<string, unknown>) => ((p.AlarmActions as unknown[] | undefined) ?? []).length > 0;
      for (const [id, alarm] of resources.filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm' || r.Type === 'AWS::CloudWatch::CompositeAlarm')) {
        checked++;
        if (notifies(alarm.Properties)) continue;
        expect(alarm.Type).toBe('AWS::CloudWatch::Alarm');
        const viaComposite = resources.some(([, r]) => r.Type === 'AWS::CloudWatch::CompositeAlarm' && notifies(r.Properties)
          && JSON.stringify(r.Properties.AlarmRule).includes(JSON.stringify([id, 'Arn'])));
        const viaRollback = resources.some(([, r]) => r.Type === 'AWS::SageMaker::Endpoint'
          && JSON.stringify(r.Properties.DeploymentConfig ?? {}).includes(JSON.stringify({ AlarmName: { Ref: id } })))
          && rules.some((r) => JSON.stringify(r.Properties.EventPattern ?? {}).includes(`stack/${stack.stackName}/`)
            && JSON.stringify(r.Properties.EventPattern ?? {}).includes('UPDATE_ROLLBACK_COMPLETE') && ((r.Properties.Targets as unknown[]) ?? []).length > 0);
        expect({ alarm: `${stack.stackName}/${id}`, reaches: viaComposite || viaRollback }).toEqual({ alarm: `${stack.stackName}/${id}`, reaches: true });
      }
    }
    expect(checked).toBeGreaterThan(10);
  });
});

describe('RegulatedWorkloads acknowledges only the shapes it accepts', () => {
  let found: string[];
  let acknowledged: string[];
  beforeAll(() => {
    const app = testApp();
    RegulatedWorkloads.apply(app, { plugins: [new NIST80053R5Checks(app), new HIPAASecurityChecks(app)] });
    const stack = new Stack(new Stage(app, 'S'), 'Shapes', { env: TEST_ENV });
    const topic = new sns.Topic(stack, 'Topic');

    const lone = new cloudwatch.Alarm(stack, 'Lone', { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'M' }), threshold: 1, evaluationPeriods: 1 });
    const fed = new cloudwatch.Alarm(stack, 'Fed', { metric: new cloudwatch.Metric({ namespace: 'N', metricName: 'F' }), threshold: 1, evaluationPeriods: 1 });
    new cloudwatch.CompositeAlarm(stack, 'Composite', { alarmRule: cloudwatch.AlarmRule.fromAlarm(fed, cloudwatch.AlarmState.ALARM) })
      .addAlarmAction(new cw_actions.SnsAction(topic));
    void lone;

    const logs = new s3.Bucket(stack, 'Logs', { encryption: s3.BucketEncryption.S3_MANAGED });
    new s3.Bucket(stack, 'Logged', { encryption: s3.BucketEncryption.S3_MANAGED, serverAccessLogsBucket: logs });

    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'i', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const self = new ec2.SecurityGroup(stack, 'Self', { vpc });
    self.connections.allowInternally(ec2.Port.allTraffic());
    const open = new ec2.SecurityGroup(stack, 'Open', { vpc });
    new ec2.CfnSecurityGroupIngress(stack, 'OpenIngress', { groupId: open.securityGroupId, ipProtocol: '-1', sourceSecurityGroupId: self.securityGroupId });

    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    topic.grantPublish(role);
    new iam.Policy(stack, 'Standalone', { roles: [role], statements: [new iam.PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] })] });

    const reports = synthReport(app);
    found = findings(reports).map((f) => f.replace('S/Shapes/', ''));
    acknowledged = reports.flatMap((r) => (r.suppressedViolations ?? []).map((v) => `${v.ruleName} ${v.acknowledgedAt!.replace('S/Shapes/', '')}`)).sort();
  });

  test.each(PACKS)('%s: an alarm that feeds a composite with actions is acknowledged; one that feeds nothing stays a finding', (pack) => {
    expect(acknowledged).toContain(`${pack}-CloudWatchAlarmAction Fed/Resource`);
    expect(found).toContain(`${pack}-CloudWatchAlarmAction Lone/Resource`);
  });

  test.each(PACKS)('%s: only the bucket that receives access logs is excused from SSE-KMS and replication', (pack) => {
    expect(acknowledged).toEqual(expect.arrayContaining([`${pack}-S3DefaultEncryptionKMS Logs/Resource`, `${pack}-S3BucketReplicationEnabled Logs/Resource`]));
    expect(found).toEqual(expect.arrayContaining([`${pack}-S3DefaultEncryptionKMS Logged/Resource`, `${pack}-S3BucketReplicationEnabled Logged/Resource`]));
  });

  test.each(PACKS)('%s: all traffic is accepted only from the security group itself', (pack) => {
    expect(acknowledged.filter((a) => a.startsWith(`${pack}-EC2RestrictedCommonPorts Self/`))).toHaveLength(1);
    expect(found).toContain(`${pack}-EC2RestrictedCommonPorts OpenIngress`);
  });

  test.each(PACKS)('%s: a role\'s grant policy is acknowledged, a standalone inline policy is not', (pack) => {
    expect(acknowledged).toContain(`${pack}-IAMNoInlinePolicy Role/DefaultPolicy/Resource`);
    expect(found).toContain(`${pack}-IAMNoInlinePolicy Standalone/Resource`);
  });

  test('nothing is acknowledged on any other resource', () => {
    const paths = new Set(acknowledged.map((a) => a.split(' ')[1].replace(/\/from .*$/, '/from')));
    expect([...paths].sort()).toEqual(['Fed/Resource', 'Logs/Resource', 'Role/DefaultPolicy/Resource', 'Self/from']);
  });
});

describe('RegulatedWorkloads.apply validation', () => {
  test('fails when the scope is not an App or a Stage', () => {
    const app = testApp();
    const stack = new Stack(app, 'NotAStage');
    expect(() => RegulatedWorkloads.apply(stack, { plugins: [new NIST80053R5Checks(app)] })).toThrow(ValidationError);
    expect(() => RegulatedWorkloads.apply(stack, { plugins: [new NIST80053R5Checks(app)] })).toThrow(/scope \(.*NotAStage.*\): must be an App or a Stage/);
  });

  test('fails when no plugin is given', () => {
    expect(() => RegulatedWorkloads.apply(testApp(), { plugins: [] })).toThrow(/plugins \(.*\): must name at least one validation plugin/);
  });
});
