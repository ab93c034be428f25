import { costReport } from '../../scripts/cost/main';
import { stackCost, totals } from '../../scripts/cost/estimate';

/** Construct stack traces off (creation and metadata), as test/helpers/app.ts testApp does: they are cloud assembly metadata, never template content. */
const NO_STACK_TRACES = { 'aws:cdk:disable-creation-stack-traces': true, 'aws:cdk:disable-stack-trace': true };

// The cost table of the default app is a snapshot: a change that changes what an environment costs
// at rest shows in the snapshot diff reviewers read (issue 18).
describe('npm run cost', () => {
  let report: string;
  // Without construct stack traces (the report reads templates only; the snapshot below proves it unchanged).
  beforeAll(() => { report = costReport({ env: 'all', ...NO_STACK_TRACES }); });

  test('prints the three environments in order, per stack, with the per-model increment, offline', () => {
    const heads = report.split('\n').filter((l) => /^(dev|staging|prod): \$/.test(l)).map((l) => l.split(':')[0]);
    expect(heads).toEqual(['dev', 'staging', 'prod']);
    expect(report).toMatch(/each further model adds \$\d+\.\d\d/);
    expect(report).toMatch(/Assumptions:[\s\S]*Prices:/);
  });

  // Issue 18: "the dev profile at rest costs at most $30 a month with the default app". The figures come from
  // the synthesized dev templates (no interface endpoint, serverless serving: see test/platform/default-app.test.ts).
  test('dev costs at most $30 a month at rest, before and after the first approval; staging and prod keep their always-on endpoints', () => {
    const figures = (env: string) => {
      const m = new RegExp(`^${env}: \\$(\\d+\\.\\d\\d) serving one approved version \\(\\$(\\d+\\.\\d\\d) before the first approval\\)`, 'm').exec(report);
      expect(m).not.toBeNull();
      return { serving: Number(m![1]), beforeApproval: Number(m![2]) };
    };
    const dev = figures('dev');
    expect(dev.serving).toBeLessThanOrEqual(30);
    expect(dev.beforeApproval).toBeLessThanOrEqual(30);
    // Serverless: approving a version adds no hourly charge in dev; staging and prod serve on instances.
    expect(dev.serving).toBe(dev.beforeApproval);
    for (const env of ['staging', 'prod']) expect(figures(env).serving).toBeGreaterThan(figures(env).beforeApproval);
    expect(report).not.toMatch(/^ {6}\d+ x interface VPC endpoint AZs[\s\S]*^staging:/m);
  });

  test('the cost table matches its snapshot', () => {
    expect(report).toMatchSnapshot();
  });
});

describe('stackCost prices what a template holds at rest', () => {
  test('interface endpoints per AZ, gateway endpoints free, alarms per metric, conditional endpoints only once approved', () => {
    const lines = stackCost({
      stackName: 's',
      template: {
        Resources: {
          A: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Interface', SubnetIds: ['a', 'b'] } },
          B: { Type: 'AWS::EC2::VPCEndpoint', Properties: { VpcEndpointType: 'Gateway' } },
          C: { Type: 'AWS::CloudWatch::Alarm', Properties: { Metrics: [{ MetricStat: {} }, { MetricStat: {} }, { Expression: 'MAX([a,b])' }] } },
          D: { Type: 'AWS::SageMaker::EndpointConfig', Condition: 'Approved', Properties: { ProductionVariants: [{ InstanceType: 'ml.m5.large', InitialInstanceCount: 2 }] } },
          E: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [{ ServerlessConfig: { MemorySizeInMB: 2048 } }] } },
        },
      },
    });
    expect(lines.map((l) => [l.item, l.quantity, l.monthly])).toEqual([
      ['interface VPC endpoint AZs', 2, 14.6],
      ['CloudWatch alarm metrics', 2, 0.2],
      ['SageMaker endpoint ml.m5.large instances', 2, 167.9],
    ]);
    expect(totals(lines)).toEqual({ beforeApproval: 14.8, serving: 182.7 });
  });

  test('fails on an instance type the price table does not know, naming the file to update', () => {
    expect(() => stackCost({ stackName: 's', template: { Resources: { E: { Type: 'AWS::SageMaker::EndpointConfig', Properties: { ProductionVariants: [{ InstanceType: 'ml.p5.48xlarge' }] } } } } }))
      .toThrow(/no price for ml\.p5\.48xlarge in scripts\/cost\/prices\.ts/);
  });
});
