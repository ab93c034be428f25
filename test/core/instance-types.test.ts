import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  InferenceEndpoint, InferenceInstanceType, LakehouseZone, MlInstanceType, ModelMonitor, ModelSource,
  MonitoringInstanceType, TRAINING_DEFAULTS, TrainingCluster,
} from '../../lib';
import { testStack } from '../helpers/app';
import { stateMachineDefinition } from '../helpers/etl';
import { managedOptions, trainingInputs } from '../training/helpers-training';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1';

describe('MlInstanceType: one form for every instanceType prop', () => {
  const type = MlInstanceType.of('ml.m5.2xlarge');

  test('the same value serves an endpoint variant, a training step and a Model Monitor job', () => {
    const stack = testStack();
    const { lakehouse, registry } = trainingInputs(stack);
    new InferenceEndpoint(stack, 'Endpoint', { model: ModelSource.fromImage(IMAGE), variants: [{ instanceType: type }] });
    new TrainingCluster(stack, 'Training', {
      lakehouse, registry, model: 'churn',
      managed: managedOptions({ prepare: { ...managedOptions().prepare, instanceType: type }, training: { instanceType: type } }),
    });
    const captured = InferenceEndpoint.fromEndpointAttributes(stack, 'Captured', {
      endpointName: 'mlops-prod-churn', dataCaptureLocation: `s3://${lakehouse.zoneBucket(LakehouseZone.RAW).bucketName}/data-capture/mlops-prod-churn/`,
    });
    new ModelMonitor(stack, 'Monitor', { endpoint: captured, lakehouse, dataQuality: { driftFeatures: ['tenure'], instanceType: type } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SageMaker::EndpointConfig', { ProductionVariants: [Match.objectLike({ InstanceType: 'ml.m5.2xlarge' })] });
    const states = stateMachineDefinition(t, /TrainingWorkflow/).States as Record<string, { Parameters?: Record<string, { ClusterConfig?: { InstanceType: string }; InstanceType?: string }> }>;
    expect(states.Prepare.Parameters?.ProcessingResources.ClusterConfig?.InstanceType).toBe('ml.m5.2xlarge');
    expect(states.Train.Parameters?.ResourceConfig.InstanceType).toBe('ml.m5.2xlarge');
    t.hasResourceProperties('AWS::SageMaker::DataQualityJobDefinition', { JobResources: { ClusterConfig: Match.objectLike({ InstanceType: 'ml.m5.2xlarge' }) } });
  });

  test('the deprecated names are aliases: their presets and of() are MlInstanceType values', () => {
    expect(InferenceInstanceType).toBe(MlInstanceType);
    expect(MonitoringInstanceType).toBe(MlInstanceType);
    expect(InferenceInstanceType.M5_LARGE).toBe(MlInstanceType.M5_LARGE);
    expect(MonitoringInstanceType.R5_XLARGE.name).toBe('ml.r5.xlarge');
    expect(InferenceInstanceType.of('ml.c5.xlarge')).toBeInstanceOf(MlInstanceType);
  });

  test('a training step still takes the name as a string (deprecated), rendered the same', () => {
    const stack = testStack();
    const { lakehouse, registry } = trainingInputs(stack);
    new TrainingCluster(stack, 'Training', { lakehouse, registry, model: 'churn', managed: managedOptions({ training: { instanceType: 'ml.m5.2xlarge' } }) });
    const states = stateMachineDefinition(Template.fromStack(stack), /TrainingWorkflow/).States as Record<string, { Parameters?: { ResourceConfig?: { InstanceType: string } } }>;
    expect(states.Train.Parameters?.ResourceConfig?.InstanceType).toBe('ml.m5.2xlarge');
    expect(TRAINING_DEFAULTS.instanceType).toBe(MlInstanceType.M5_XLARGE.name);
  });

  test('each use validates the family for itself and names the property', () => {
    const stack = testStack();
    const { lakehouse, registry } = trainingInputs(stack);
    // trn1 trains but does not host real-time endpoints; t2 hosts but does not train (the library's family lists)
    expect(() => new InferenceEndpoint(stack, 'E', { model: ModelSource.fromImage(IMAGE), variants: [{ instanceType: MlInstanceType.of('ml.trn1.2xlarge') }] }))
      .toThrow(/variants\[0\]\.instanceType \("ml\.trn1\.2xlarge"\): has an unknown family "trn1"/);
    expect(() => new TrainingCluster(stack, 'T', { lakehouse, registry, model: 'churn', managed: managedOptions({ training: { instanceType: MlInstanceType.of('ml.t2.medium') } }) }))
      .toThrow(/managed\.training\.instanceType \("ml\.t2\.medium"\): has an unknown family "t2"/);
    expect(() => new TrainingCluster(stack, 'T2', { lakehouse, registry, model: 'churn', managed: managedOptions({ training: { instanceType: 42 as never } }) }))
      .toThrow(/managed\.training\.instanceType \(42\): must be a MlInstanceType/);
  });

  test('name parts, vCPUs and instance storage come from the name', () => {
    expect([type.family, type.size, type.vcpus, type.hasInstanceStorage, `${type}`]).toEqual(['m5', '2xlarge', 8, false, 'ml.m5.2xlarge']);
    expect(MlInstanceType.of('ml.g5.12xlarge').vcpus).toBe(48);
    expect(MlInstanceType.of('ml.g5.12xlarge').hasInstanceStorage).toBe(true);
    expect(MlInstanceType.of('m5.large').problem()).toMatch(/must look like ml\.<family>\.<size>/);
    expect(MlInstanceType.of('m5.large').vcpus).toBeUndefined();
  });
});
