import { Template } from 'aws-cdk-lib/assertions';
import { PlatformStage } from '../../lib';
import { DEFINITION } from '../../bin/main';
import { ENVIRONMENTS } from '../../bin/environments';
import { SKIP_BUNDLING, testApp } from '../helpers/app';

describe('a serverless model through PlatformStage (issue 15, finding 5)', () => {
  test('gets no VPC and no data capture (SageMaker supports neither for serverless), and no drift job; the stage synthesizes', () => {
    const app = testApp(SKIP_BUNDLING);
    const churn = DEFINITION.models[0];
    const stage = new PlatformStage(app, 'dev', {
      definition: { ...DEFINITION, models: [{ ...churn, serving: { variants: [{ serverless: { memorySizeMiB: 2048, maxConcurrency: 5 } }] } }] },
      environment: ENVIRONMENTS.dev,
    });
    app.synth();
    const serving = Template.fromStack(stage.servingStacks[0]);
    const [config] = Object.values(serving.findResources('AWS::SageMaker::EndpointConfig'));
    expect(config.Properties.DataCaptureConfig).toBeUndefined();
    expect(config.Properties.ProductionVariants[0].ServerlessConfig).toEqual({ MemorySizeInMB: 2048, MaxConcurrency: 5 });
    const [model] = Object.values(serving.findResources('AWS::SageMaker::Model'));
    expect(model.Properties.VpcConfig).toBeUndefined();
    Template.fromStack(stage.monitoringStack).resourceCountIs('AWS::Glue::Job', 0);
  });
});
