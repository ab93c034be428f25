#!/usr/bin/env node
// Baseline for `npm run bench` (scripts/bench.mjs): the cheapest possible CDK app, one App and
// one empty Stack, synthesized through the same CLI, ts-node/swc toolchain and cdk.json context
// as bin/app.ts. Its synth time is the fixed cost (CLI start-up, ts-node, aws-cdk-lib load,
// built-in CloudFormation validation) that every app pays, so default/bare shows our own overhead.
// An empty stack synthesizes fine (the template just holds CDKMetadata and the bootstrap rule),
// so no placeholder resource is added. Add nothing else here.
import { App, Stack } from 'aws-cdk-lib';

const app = new App();
new Stack(app, 'BenchBareStack');
