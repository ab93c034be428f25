/**
 * The delivery pipeline of the three-account platform of examples/multi-account.ts: a CDK Pipelines
 * pipeline in the tooling account (444444444444) reads the repository through a CodeConnections
 * connection, runs `npm ci`, `npm test` and the synth, updates itself, then deploys dev
 * (111111111111), prod (333333333333, after a person approves) and staging (222222222222), each after
 * what it reads from: staging's endpoints serve prod's registry (read at deploy time through prod's
 * stack outputs), so prod deploys before staging; prod's promotions reach staging through the role
 * staging's ML stack creates.
 *
 * Bootstrap first (see the README's "Delivery pipeline"), deploy the pipeline stack once by hand,
 * then every push to main goes through the pipeline:
 *
 *   npx cdk deploy --app "npx ts-node --swc examples/pipeline.ts" Delivery
 */
import { App, Stack } from 'aws-cdk-lib';
import { PlatformPipeline, PlatformSource } from '../lib';
import { ACCOUNTS, DEFINITION, ENVIRONMENTS, REGION, pinAvailabilityZones } from './multi-account';

export { ENVIRONMENTS, REGION };
export const TOOLING_ACCOUNT = ACCOUNTS.tooling;
const CONNECTION_ARN = `arn:aws:codeconnections:${REGION}:${TOOLING_ACCOUNT}:connection/1a2b3c4d-5678-90ab-cdef-1234567890ab`;

/** Builds the tooling stack with the pipeline; its synth step synthesizes this file's app. */
export function buildPipelineExample(app: App = new App()): PlatformPipeline {
  pinAvailabilityZones(app);
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
