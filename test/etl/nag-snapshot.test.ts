import * as fs from 'fs';
import * as path from 'path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { EtlPipeline, LakehouseZone } from '../../lib';
import { buildEtlExample } from '../../examples/etl-pipeline';
import { SKIP_BUNDLING, normalizedTemplate, testApp, testStack } from '../helpers/app';
import { JOB_SCRIPT, RULESET, TRANSFORM, pipelineLakehouse } from '../helpers/etl';

function pipelineStack(nag: boolean) {
  const stack = testStack({ nag, context: SKIP_BUNDLING });
  const lakehouse = pipelineLakehouse(stack);
  new EtlPipeline(stack, 'Pipeline', {
    lakehouse,
    batch: {
      script: JOB_SCRIPT,
      source: { zone: LakehouseZone.RAW, table: 'events' },
      target: { zone: LakehouseZone.CURATED, table: 'clean' },
      dataQuality: { ruleset: RULESET },
      schedule: 'cron(0 2 * * ? *)',
      triggerOnNewObjects: 'events/',
    },
    streaming: { table: 'events', transformation: { entry: TRANSFORM } },
  });
  return stack;
}

describe('EtlPipeline cdk-nag AwsSolutions', () => {
  test('batch and streaming with every option have zero unacknowledged findings', () => {
    const stack = pipelineStack(true);
    expect(() => (stack.node.root as App).synth()).not.toThrow();
  });

});

describe('EtlPipeline snapshot', () => {
  test('batch and streaming, normalized', () => {
    expect(normalizedTemplate(pipelineStack(false))).toMatchSnapshot();
  });
});

describe('examples/etl-pipeline.ts', () => {
  test('synthesizes a streaming and a triggered batch pipeline, bundling the Lambda with esbuild (no Docker)', () => {
    const app = testApp();
    const stack = buildEtlExample(app);
    expect(() => app.synth()).not.toThrow();
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    t.resourceCountIs('AWS::StepFunctions::StateMachine', 1);
    t.resourceCountIs('AWS::Lambda::Function', 1);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    t.resourceCountIs('AWS::Events::Rule', 4); // schedule, new objects, failure alert, onSuccess
    // The handler was bundled: the staged asset is esbuild's single index.js, not the TypeScript source.
    const fn = Object.values(t.findResources('AWS::Lambda::Function'))[0];
    const hash = (fn.Properties.Code.S3Key as string).replace(/\.zip$/, '');
    const staged = path.join(app.outdir, `asset.${hash}`);
    expect(fs.readdirSync(staged)).toEqual(['index.js']);
    expect(fs.readFileSync(path.join(staged, 'index.js'), 'utf8')).toMatch(/ProcessingFailed/);
  });
});
