import { Template } from 'aws-cdk-lib/assertions';
import { ALLOW_DESTROY_CONTEXT, Profiles } from '../../lib';
import {
  DEPLOYMENT_DEFAULTS, INFERENCE_DEFAULTS, INFERENCE_PROFILE_DEFAULTS, InferenceEndpoint, InferenceInstanceType, ModelSource,
} from '../../lib/inference';
import { testStack } from '../helpers/app';
import { documentedDefaults } from '../helpers/docs';
import { lakehouseIn, only, registryIn } from './helpers';

const DOCS = documentedDefaults('lib/inference/inference-endpoint-props.ts');
const DEPLOY_DOCS = documentedDefaults('lib/inference/deployment.ts');
const p = INFERENCE_PROFILE_DEFAULTS;

describe('InferenceEndpoint documented defaults are the ones used', () => {
  test('the docs state the values in INFERENCE_DEFAULTS, INFERENCE_PROFILE_DEFAULTS and DEPLOYMENT_DEFAULTS', () => {
    expect(DOCS.get('VariantOptions.name')).toBe(`'${INFERENCE_DEFAULTS.variantName}'`);
    expect(DOCS.get('VariantOptions.weight')).toBe(String(INFERENCE_DEFAULTS.weight));
    expect(INFERENCE_DEFAULTS.instanceType).toBe(InferenceInstanceType.M5_LARGE);
    expect(DOCS.get('VariantOptions.instanceType')).toBe('MlInstanceType.M5_LARGE');
    expect(DOCS.get('VariantOptions.initialInstanceCount')).toBe(
      `per profile: ${p.prod.initialInstanceCount} when the profile is 'prod', otherwise ${p.dev.initialInstanceCount}`);
    expect(p.staging.initialInstanceCount).toBe(p.dev.initialInstanceCount);
    expect(DOCS.get('VariantAutoScaling.maxCapacity')).toContain(`dev ${p.dev.maxCapacity}, staging ${p.staging.maxCapacity}, prod ${p.prod.maxCapacity}`);
    expect(DOCS.get('VariantAutoScaling.scaleInCooldown')).toBe(
      `per profile: dev ${p.dev.scaleInCooldown.toHumanString()}, staging and prod ${p.prod.scaleInCooldown.toHumanString()}`);
    expect(p.staging.scaleInCooldown.toSeconds()).toBe(p.prod.scaleInCooldown.toSeconds());
    expect(DOCS.get('VariantAutoScaling.scaleOutCooldown')).toBe(INFERENCE_DEFAULTS.scaleOutCooldown.toHumanString());
    expect(DOCS.get('VariantAutoScaling.targetInvocationsPerInstance')).toBe(String(INFERENCE_DEFAULTS.targetInvocationsPerInstance));
    expect(DOCS.get('DataCaptureOptions.zone')).toBe(`LakehouseZone.${INFERENCE_DEFAULTS.captureZone.toUpperCase()}`);
    expect(DOCS.get('DataCaptureOptions.prefix')).toBe(`'${INFERENCE_DEFAULTS.capturePrefix}'`);
    expect(DOCS.get('DataCaptureOptions.samplingPercentage')).toBe(String(INFERENCE_DEFAULTS.samplingPercentage));
    expect(DOCS.get('AsyncInferenceOptions.prefix')).toBe(`'${INFERENCE_DEFAULTS.asyncPrefix}'`);
    expect(DOCS.get('RollbackAlarmOptions.invocation5xxErrors')).toBe(String(INFERENCE_DEFAULTS.invocation5xxErrors));
    expect(DOCS.get('RollbackAlarmOptions.modelLatencyP99')).toBe(INFERENCE_DEFAULTS.modelLatencyP99.toHumanString());
    expect(DOCS.get('RollbackAlarmOptions.modelErrors')).toBe(String(INFERENCE_DEFAULTS.modelErrors));
    expect(DOCS.get('RollbackAlarmOptions.evaluationPeriods')).toBe(String(INFERENCE_DEFAULTS.evaluationPeriods));
    expect(DOCS.get('InferenceEndpointProps.variants')).toBe(`one instance-based variant named '${INFERENCE_DEFAULTS.variantName}'`);
    // Item 9: a 10 percent canary on a one-instance variant exceeds SageMaker's 50 percent cap; the default depends on the fleet.
    expect(DOCS.get('InferenceEndpointProps.deployment')).toBe(
      `blue/green all at once (${DEPLOYMENT_DEFAULTS.wait.toHumanString().replace(/s$/, '')} bake, auto-rollback) when a variant has one instance; `
      + `otherwise a canary of ${DEPLOYMENT_DEFAULTS.fleetCanarySize.value} instance (${DEPLOYMENT_DEFAULTS.wait.toHumanString().replace(/s$/, '')} bake)`);
    expect(DEPLOYMENT_DEFAULTS.fleetCanarySize.type).toBe('INSTANCE_COUNT');
    expect(DEPLOY_DOCS.get('BlueGreenOptions.wait')).toBe(DEPLOYMENT_DEFAULTS.wait.toHumanString());
    expect(DEPLOY_DOCS.get('BlueGreenOptions.terminationWait')).toBe(DEPLOYMENT_DEFAULTS.terminationWait.toHumanString());
    expect(DEPLOY_DOCS.get('CanaryOptions.canarySize')).toBe(`${DEPLOYMENT_DEFAULTS.canarySize.value} percent`);
    expect(DEPLOY_DOCS.get('LinearOptions.stepSize')).toBe(`${DEPLOYMENT_DEFAULTS.linearStepSize.value} percent`);
    expect(DEPLOY_DOCS.get('RollingOptions.maximumBatchSize')).toBe(`${DEPLOYMENT_DEFAULTS.rollingBatchSize.value} percent`);
    expect(DEPLOY_DOCS.get('RollingOptions.wait')).toBe(DEPLOYMENT_DEFAULTS.wait.toHumanString());
  });

  test.each([['dev', Profiles.DEV], ['staging', Profiles.STAGING], ['prod', Profiles.PROD]] as const)(
    'an endpoint with only required props (and capture) synthesizes exactly those defaults in %s', (name, profile) => {
      // The allow-destroy flag is set so that dev does not warn; only dev honours it.
      const stack = testStack({ profile, context: { [ALLOW_DESTROY_CONTEXT]: true } });
      const endpoint = new InferenceEndpoint(stack, 'Endpoint', {
        model: ModelSource.fromRegistry(registryIn(stack), 'churn'),
        dataCapture: { lakehouse: lakehouseIn(stack) },
      });
      const t = Template.fromStack(stack);
      const config = only(t, 'AWS::SageMaker::EndpointConfig').Properties;
      expect(config.ProductionVariants).toEqual([expect.objectContaining({
        VariantName: INFERENCE_DEFAULTS.variantName, InitialVariantWeight: INFERENCE_DEFAULTS.weight,
        InstanceType: INFERENCE_DEFAULTS.instanceType.name, InitialInstanceCount: p[name].initialInstanceCount,
      })]);
      expect(config.ShadowProductionVariants).toBeUndefined();
      expect(config.AsyncInferenceConfig).toBeUndefined();
      expect(config.DataCaptureConfig.InitialSamplingPercentage).toBe(INFERENCE_DEFAULTS.samplingPercentage);
      expect(JSON.stringify(config.DataCaptureConfig.DestinationS3Uri)).toContain(`/${INFERENCE_DEFAULTS.capturePrefix.replace(/\/$/, '')}"`);
      expect(JSON.stringify(config.DataCaptureConfig.DestinationS3Uri)).toMatch(/LakehouseRawBucket/);
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', { MinCapacity: p[name].initialInstanceCount, MaxCapacity: p[name].maxCapacity });
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', { TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
        TargetValue: INFERENCE_DEFAULTS.targetInvocationsPerInstance,
        ScaleInCooldown: p[name].scaleInCooldown.toSeconds(), ScaleOutCooldown: INFERENCE_DEFAULTS.scaleOutCooldown.toSeconds(),
      } });
      const deployment = only(t, 'AWS::SageMaker::Endpoint').Properties.DeploymentConfig;
      // Dev and staging serve one instance: all at once with bake and rollback; prod's two get a one-instance canary.
      expect(deployment.BlueGreenUpdatePolicy).toEqual({
        TrafficRoutingConfiguration: p[name].initialInstanceCount === 1
          ? { Type: 'ALL_AT_ONCE', WaitIntervalInSeconds: DEPLOYMENT_DEFAULTS.wait.toSeconds() }
          : { Type: 'CANARY', CanarySize: { Type: 'INSTANCE_COUNT', Value: 1 }, WaitIntervalInSeconds: DEPLOYMENT_DEFAULTS.wait.toSeconds() },
        TerminationWaitInSeconds: DEPLOYMENT_DEFAULTS.terminationWait.toSeconds(),
      });
      expect(deployment.AutoRollbackConfiguration.Alarms).toHaveLength(3);
      // Not the stack's EventDeadLetters alarm, which belongs to the registry's rules in the same test stack (issue 16).
      const thresholds = Object.entries(t.findResources('AWS::CloudWatch::Alarm')).filter(([id]) => !id.startsWith('EventDeadLetters'))
        .map(([, a]) => [a.Properties.MetricName, a.Properties.Threshold, a.Properties.EvaluationPeriods]);
      expect(thresholds).toEqual([
        ['Invocation5XXErrors', INFERENCE_DEFAULTS.invocation5xxErrors, INFERENCE_DEFAULTS.evaluationPeriods],
        ['ModelLatency', INFERENCE_DEFAULTS.modelLatencyP99.toMilliseconds() * 1000, INFERENCE_DEFAULTS.evaluationPeriods],
        ['InvocationModelErrors', INFERENCE_DEFAULTS.modelErrors, INFERENCE_DEFAULTS.evaluationPeriods],
      ]);
      expect(only(t, 'AWS::SageMaker::Endpoint').Properties.EndpointName).toBe(`mlops-${name}-endpoint`);
      expect(t.findParameters('*', { Default: `/mlops/${name}/models/churn/approved-package-arn` })).not.toEqual({});
      expect(endpoint.removalPolicy).toBe(profile.removalPolicy);
    });
});
