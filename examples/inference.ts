/**
 * Inference endpoints a team copies: an A/B test of two registered models with data capture for
 * Model Monitor, a shadow test of a challenger version next to the champion, a small serverless
 * endpoint for a low-traffic model, and the promotion of approved versions from staging to prod. Each serves the version approved in the registry,
 * read by CloudFormation from an SSM parameter at deploy time, and rolls out behind guardrails.
 *
 * Run one with: npx cdk synth --app "npx ts-node --swc examples/inference.ts"
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DataLakehouse, ModelRegistry, Profiles, applyPlatform } from '../lib';
import { DeploymentStrategy, InferenceEndpoint, InferenceInstanceType, ModelSource, PromotionWorkflow } from '../lib/inference';

/** One stack per example, each configured for its own environment. */
function platformStack(app: App, stackName: string): Stack {
  const stack = new Stack(app, stackName);
  applyPlatform(stack, { project: 'acme', profile: Profiles.STAGING, owner: 'ml-platform', costCentre: 'cc-1234' });
  return stack;
}

/**
 * A/B test: two models share production traffic 80/20, with canary rollouts and 10% data capture.
 * A 25% canary needs at least two instances per variant: SageMaker caps a canary at half of each
 * variant's fleet (one instance is never at most half of one).
 */
export function buildAbTestExample(app: App = new App()): Stack {
  const stack = platformStack(app, 'acme-staging-ab-test');
  const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn' }, { name: 'churn-xgb' }] });
  const lakehouse = new DataLakehouse(stack, 'Lakehouse');
  const endpoint = new InferenceEndpoint(stack, 'Churn', {
    model: ModelSource.fromRegistry(registry, 'churn'),
    variants: [
      { name: 'Champion', weight: 80, instanceType: InferenceInstanceType.M5_XLARGE, initialInstanceCount: 2, autoScaling: { maxCapacity: 6 } },
      { name: 'Challenger', weight: 20, model: ModelSource.fromRegistry(registry, 'churn-xgb'), initialInstanceCount: 2, autoScaling: { maxCapacity: 2 } },
    ],
    dataCapture: { lakehouse, samplingPercentage: 10 },
    deployment: DeploymentStrategy.canary({ canarySize: { type: 'CAPACITY_PERCENT', value: 25 }, wait: Duration.minutes(10) }),
  });
  // The scoring service may invoke the endpoint and nothing else.
  const scoring = new iam.Role(stack, 'ScoringService', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  endpoint.grantInvoke(scoring);
  return stack;
}

/** Shadow test: the challenger receives a copy of all traffic; only the champion answers. Linear steps of 25% need two instances per variant. */
export function buildShadowTestExample(app: App = new App()): Stack {
  const stack = platformStack(app, 'acme-staging-shadow-test');
  const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'fraud-score' }] });
  const lakehouse = new DataLakehouse(stack, 'Lakehouse');
  new InferenceEndpoint(stack, 'Fraud', {
    model: ModelSource.fromRegistry(registry, 'fraud-score'),
    variants: [{ name: 'Champion', initialInstanceCount: 2 }],
    shadowVariant: {
      name: 'Shadow',
      initialInstanceCount: 2,
      model: ModelSource.fromRegistry(registry, 'fraud-score', { parameterName: '/acme/staging/models/fraud-score/candidate-package-arn' }),
      autoScaling: false,
    },
    dataCapture: { lakehouse },
    deployment: DeploymentStrategy.linear({ stepSize: { type: 'CAPACITY_PERCENT', value: 25 } }),
  });
  return stack;
}

/** Serverless: a low-traffic model that scales to zero (SageMaker updates serverless endpoints all at once, without guardrails). */
export function buildServerlessExample(app: App = new App()): Stack {
  const stack = platformStack(app, 'acme-staging-serverless');
  const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'ticket-router' }] });
  new InferenceEndpoint(stack, 'TicketRouter', {
    model: ModelSource.fromRegistry(registry, 'ticket-router'),
    variants: [{ serverless: { memorySizeMiB: 2048, maxConcurrency: 10, provisionedConcurrency: 1 } }],
  });
  return stack;
}

/**
 * Promotion: a shared registry stack whose approvals start a workflow that makes staging serve the
 * approved churn version through its guarded rollout, waits for it, asks for a manual approval and
 * then does the same in prod. The serving stacks stay the source of truth: the workflow only
 * writes their SSM parameters and updates them with their previous templates.
 */
export function buildPromotionExample(app: App = new App()): Stack[] {
  const shared = new Stack(app, 'acme-shared-registry');
  applyPlatform(shared, { project: 'acme', profile: Profiles.PROD, owner: 'ml-platform', costCentre: 'cc-1234' });
  const registry = new ModelRegistry(shared, 'Registry', { models: [{ name: 'churn' }] });

  const serving = [Profiles.STAGING, Profiles.PROD].map((profile) => {
    const stack = new Stack(app, `acme-${profile.name}-serving`);
    applyPlatform(stack, { project: 'acme', profile, owner: 'ml-platform', costCentre: 'cc-1234' });
    new InferenceEndpoint(stack, 'Churn', { model: ModelSource.fromRegistry(registry, 'churn') });
    return stack;
  });

  new PromotionWorkflow(shared, 'ChurnPromotion', {
    registry,
    model: 'churn',
    stages: serving.map((stack, i) => ({ name: i === 0 ? 'staging' : 'prod', stackName: stack.stackName })),
  });
  return [shared, ...serving];
}

// Run directly (as `cdk synth --app` does), the App synthesizes itself when the process exits.
if (require.main === module) {
  const app = new App();
  buildAbTestExample(app);
  buildShadowTestExample(app);
  buildServerlessExample(app);
  buildPromotionExample(app);
}
