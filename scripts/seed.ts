/**
 * Seeds a deployed environment with the sample churn events and runs its pipelines, so that the
 * loop starts without waiting for the nightly schedules:
 *
 *   npm run seed                      # dev
 *   npm run seed -- --env staging     # another environment (same project)
 *   npm run seed -- --no-pipelines    # only put the events (the schedules curate them at night)
 *
 * Uses the AWS CLI v2 with the current credentials (no SDK dependency): the stream and the state
 * machines are found by stack resource, so nothing is configured by hand. After the training-set
 * pipeline succeeds, retraining starts by itself (EventBridge) and registers a version pending
 * approval; approve it in SageMaker Studio or with
 * `aws sagemaker update-model-package --model-package-arn <arn> --model-approval-status Approved`.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PROJECT } from '../bin/environments';
import { sampleEvents } from './sample-events';

const args = process.argv.slice(2);
const env = args.includes('--env') ? args[args.indexOf('--env') + 1] : 'dev';
const runPipelines = !args.includes('--no-pipelines');
const count = args.includes('--count') ? Number(args[args.indexOf('--count') + 1]) : 480;

function aws(...cli: string[]): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const out = execFileSync('aws', [...cli, '--output', 'json'], { encoding: 'utf8' });
  return out.trim() ? JSON.parse(out) : {};
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Physical IDs of a stack's resources of a type whose logical ID starts with `prefix`. */
function physicalIds(stackName: string, type: string, prefix = ''): string[] {
  const { StackResources } = aws('cloudformation', 'describe-stack-resources', '--stack-name', stackName);
  return (StackResources as Array<{ ResourceType: string; LogicalResourceId: string; PhysicalResourceId: string }>)
    .filter((r) => r.ResourceType === type && r.LogicalResourceId.startsWith(prefix)).map((r) => r.PhysicalResourceId);
}

async function runToCompletion(machineArn: string, label: string): Promise<void> {
  const { executionArn } = aws('stepfunctions', 'start-execution', '--state-machine-arn', machineArn);
  console.log(`${label}: started ${executionArn}`);
  for (;;) {
    await sleep(30_000);
    const { status, error, cause } = aws('stepfunctions', 'describe-execution', '--execution-arn', executionArn);
    if (status === 'RUNNING') continue;
    if (status !== 'SUCCEEDED') throw new Error(`${label} ended ${status}: ${error ?? ''} ${cause ?? ''}`);
    console.log(`${label}: SUCCEEDED`);
    return;
  }
}

async function main(): Promise<void> {
  const dataStack = `${PROJECT}-${env}-data`;
  const [stream] = physicalIds(dataStack, 'AWS::Kinesis::Stream', 'Ingest');
  if (!stream) throw new Error(`no ingest stream in ${dataStack}: deploy the ${env} environment first`);
  const events = sampleEvents(count);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-'));
  // Kinesis PutRecords takes at most 500 records per call (Kinesis API reference).
  for (let i = 0; i < events.length; i += 500) {
    const file = path.join(dir, `batch-${i}.json`);
    fs.writeFileSync(file, JSON.stringify(events.slice(i, i + 500).map((e) => ({ Data: JSON.stringify(e), PartitionKey: e.customer_id }))));
    const { FailedRecordCount } = aws('kinesis', 'put-records', '--stream-name', stream, '--records', `file://${file}`, '--cli-binary-format', 'raw-in-base64-out');
    if (FailedRecordCount > 0) throw new Error(`${FailedRecordCount} records were refused; run again`);
  }
  console.log(`put ${events.length} events on ${stream}`);
  if (!runPipelines) return;
  // Firehose delivers after its buffer interval (300 seconds by default).
  console.log('waiting 6 minutes for Firehose to deliver them to the raw zone...');
  await sleep(6 * 60_000);
  const [curate] = physicalIds(dataStack, 'AWS::StepFunctions::StateMachine', 'CurateWorkflow');
  const [trainingSet] = physicalIds(dataStack, 'AWS::StepFunctions::StateMachine', 'BuildTrainingSetWorkflow');
  await runToCompletion(curate, 'curation');
  await runToCompletion(trainingSet, 'training set');
  console.log('retraining starts now (EventBridge); a version pending approval appears in the registry in about 20-30 minutes');
}

main().catch((e) => { console.error(e.message); process.exit(1); });
