/**
 * The delivery pipeline of a three-account platform: a CDK Pipelines pipeline in the tooling account
 * (444444444444) reads the repository through a CodeConnections connection, runs `npm ci`,
 * `npm test` and the synth, updates itself, then deploys dev (111111111111), staging
 * (222222222222) and prod (333333333333), each after what it reads from, prod after a person
 * approves. Each environment promotes its own approvals to itself.
 *
 * Bootstrap first (see the README's "Delivery pipeline"), deploy the pipeline stack once by hand,
 * then every push to main goes through the pipeline:
 *
 *   npx cdk deploy --app "npx ts-node --swc examples/pipeline.ts" Delivery
 */
import { App, Stack } from 'aws-cdk-lib';
import { PlatformPipeline, EnvironmentName, PlatformEnvironment, PlatformSource, Profiles } from '../lib';
import { DEFINITION } from '../bin/main';

export const TOOLING_ACCOUNT = '444444444444';
export const REGION = 'eu-west-1';
const CONNECTION_ARN = `arn:aws:codeconnections:${REGION}:${TOOLING_ACCOUNT}:connection/1a2b3c4d-5678-90ab-cdef-1234567890ab`;

export const ENVIRONMENTS: Record<EnvironmentName, PlatformEnvironment> = {
  dev: { name: 'dev', profile: Profiles.DEV, account: '111111111111', region: REGION, owner: 'ml-platform', costCentre: 'ml-dev', promotesTo: [{ environment: 'dev' }] },
  staging: {
    name: 'staging', profile: Profiles.STAGING, account: '222222222222', region: REGION, owner: 'ml-platform', costCentre: 'ml-staging',
    promotesTo: [{ environment: 'staging' }],
  },
  prod: {
    name: 'prod', profile: Profiles.PROD, account: '333333333333', region: REGION, owner: 'ml-platform', costCentre: 'ml-prod',
    promotesTo: [{ environment: 'prod', requireApproval: true }],
  },
};

/** Builds the tooling stack with the pipeline; its synth step synthesizes this file's app. */
export function buildPipelineExample(app: App = new App()): PlatformPipeline {
  const tooling = new Stack(app, 'Delivery', { env: { account: TOOLING_ACCOUNT, region: REGION }, stackName: 'mlops-delivery' });
  return new PlatformPipeline(tooling, 'Pipeline', {
    definition: DEFINITION,
    environments: ENVIRONMENTS,
    source: PlatformSource.connection('acme/ml-platform', 'main', CONNECTION_ARN),
    // This repository's cdk.json runs the default app; the pipeline's synth runs this one.
    synthCommands: ['npm ci', 'npm test', 'npx cdk synth --app "npx ts-node --swc examples/pipeline.ts"'],
  });
}

if (require.main === module) buildPipelineExample();
