#!/usr/bin/env node
// Runs the day-0 integration test in the account of the current AWS credentials: deploys the dev
// environment of the default app plus the assertions stack (test/integ/day0.integ.ts) with the
// project's own cdk CLI, then destroys everything, also when an assertion failed.
//
// Why not integ-runner: @aws-cdk/integ-runner 2.197.10 cannot read the cloud assembly that
// aws-cdk-lib 2.276 writes (schema 55; it reads up to 53). A failed assertion fails the deploy of
// the assertions stack, so the exit code of this script is the test result.
//
//   npm run integ                 deploy, assert, destroy (about 1.5-2 hours)
//   npm run integ -- --no-destroy keep the stacks for inspection
import { spawnSync } from 'node:child_process';

const keep = process.argv.includes('--no-destroy');
const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CHECKPOINT_DISABLE: '1' };
const app = ['--app', 'npx ts-node --swc test/integ/day0.integ.ts', '--output', 'cdk.out.integ',
  // The dev profile destroys data only with this flag: the test leaves nothing behind.
  '--context', 'mlops:allowDestroy=true', '--context', 'env=dev'];

function cdk(...args) {
  console.log(`\n$ cdk ${args.join(' ')}`);
  return spawnSync('npx', ['cdk', ...args, ...app], { stdio: 'inherit', env }).status ?? 1;
}

const deployed = cdk('deploy', 'dev/*', '--require-approval', 'never', '--progress', 'events');
const destroyed = keep ? 0 : cdk('destroy', 'dev/*', '--force');
if (deployed !== 0) console.error('\nday-0 integration test FAILED (deploy or an assertion); see the events above');
if (destroyed !== 0) console.error('\ndestroy failed: delete the mlops-dev-* stacks by hand');
process.exit(deployed || destroyed);
