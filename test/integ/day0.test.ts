import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { SKIP_BUNDLING, normalizedTemplate, testApp } from '../helpers/app';
import { Day0Integ, SAMPLE_SIZE, buildDay0Integ } from './day0.integ';

/** The SDK calls of the assertions stack in deployment order (each depends on the one before). */
function callOrder(template: Template): string[] {
  const resources = template.toJSON().Resources as Record<string, { Type: string; DependsOn?: string[]; Properties: Record<string, string> }>;
  const calls = Object.fromEntries(Object.entries(resources).filter(([, r]) => r.Type.startsWith('Custom::DeployAssert@SdkCall')));
  const deps = (id: string): string[] => (calls[id].DependsOn ?? []).filter((d) => d in calls);
  const order: string[] = [];
  const visit = (id: string) => { if (order.includes(id)) return; deps(id).forEach(visit); order.push(id); };
  Object.keys(calls).sort().forEach(visit);
  return order.map((id) => {
    const p = calls[id].Properties;
    return `${p.service}.${p.api}`;
  });
}

describe('day-0 integration test (synthesized offline; deployed by `npm run integ`)', () => {
  let integ: Day0Integ;
  let assertions: Template;
  beforeAll(() => {
    integ = buildDay0Integ(testApp({ ...SKIP_BUNDLING, env: 'dev' }));
    integ.app.synth();
    assertions = Template.fromStack(integ.assertions);
  });

  test('the test case deploys every stack of the dev environment, then the assertions stack', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(integ.app.outdir, 'integ.json'), 'utf8'));
    expect(manifest.testCases['Day0/DefaultTest']).toEqual(expect.objectContaining({
      stacks: ['dev/Foundation', 'dev/Data', 'dev/Ml', 'dev/Serving', 'dev/Monitoring'],
      assertionStack: 'dev/IntegAssertions',
    }));
    expect(integ.assertions.dependencies.map((s) => s.stackName).sort()).toEqual(['mlops-dev-data', 'mlops-dev-ml', 'mlops-dev-monitoring', 'mlops-dev-serving', 'mlops-foundation']);
  });

  test('the loop is driven in order: events, delivery, curation, training set, registration, approval, endpoint, prediction, capture', () => {
    expect(callOrder(assertions)).toEqual([
      'Kinesis.putRecords',
      'S3.listObjectsV2',
      'StepFunctions.startExecution', 'StepFunctions.describeExecution',
      'StepFunctions.startExecution', 'StepFunctions.describeExecution',
      'SageMaker.listModelPackages',
      'SageMaker.updateModelPackage',
      'SageMaker.describeEndpoint',
      'SageMakerRuntime.invokeEndpoint',
      'S3.listObjectsV2',
    ]);
  });

  test('the events put on the stream are the generated sample, one record per customer', () => {
    const put = Object.values(assertions.findResources('Custom::DeployAssert@SdkCallKinesisputRecords'))[0];
    const records = JSON.parse(put.Properties.parameters.Records) as Array<{ Data: string; PartitionKey: string }>;
    expect(records).toHaveLength(SAMPLE_SIZE);
    expect(new Set(records.map((r) => r.PartitionKey)).size).toBe(SAMPLE_SIZE);
    expect(Object.keys(JSON.parse(records[0].Data))).toEqual(['event_id', 'event_time', 'customer_id', 'tenure', 'monthly_charges', 'support_calls', 'churned']);
  });

  test('every wait stays under the one-hour custom resource limit', () => {
    const waiters = Object.values(assertions.findResources('AWS::StepFunctions::StateMachine'));
    expect(waiters.length).toBe(6); // delivery, two pipelines, registration, endpoint, capture
    for (const w of waiters) {
      const def = JSON.stringify(w.Properties.DefinitionString);
      const [, interval, attempts] = def.match(/IntervalSeconds\\":(\d+).*?MaxAttempts\\":(\d+)/) ?? [];
      expect(Number(interval) * Number(attempts)).toBeLessThanOrEqual(3600);
    }
  });

  test('the assertions stack matches its snapshot', () => {
    // integ-tests salts each call with the synth time (Date.now()) so that it runs on every deploy.
    const text = JSON.stringify(normalizedTemplate(integ.assertions)).replace(/"salt":"\d+"/g, '"salt":"<synth time>"');
    expect(JSON.parse(text)).toMatchSnapshot();
  });
});
