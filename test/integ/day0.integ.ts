/**
 * Day 0 in a real account, end to end: deploys the dev environment of the default app on an
 * empty, bootstrapped account, then drives the loop with deploy-time assertions
 * (@aws-cdk/integ-tests-alpha, custom resources in the assertions stack, which deploys last):
 *
 *  1. puts generated churn events on the ingest stream;
 *  2. waits until Firehose delivered them to the raw zone;
 *  3. runs the curation pipeline, then the training-set pipeline, each to SUCCEEDED;
 *  4. the training-set pipeline's success starts retraining (EventBridge): waits for a version
 *     registered as PendingManualApproval;
 *  5. approves it: the approval starts the promotion workflow, which writes the version to SSM and
 *     updates the serving stack (the first approval creates the endpoint);
 *  6. waits for the endpoint to be InService, invokes it with a CSV row of the declared features
 *     and asserts a probability comes back;
 *  7. finds the captured request in the lakehouse's raw zone.
 *
 * A failed assertion fails the deploy. Run it with `npm run integ` (scripts/integ.mjs: deploy,
 * then destroy, with the dev profile's destroy flag so that nothing is left behind); it needs
 * credentials and takes about 1.5 to 2 hours. CI synthesizes it and compares the assertions
 * stack with its snapshot (test/integ/day0.test.ts), without deploying.
 *
 * Each waiter is one custom resource, and CloudFormation waits at most one hour for a custom
 * resource (AWS CloudFormation User Guide, "Custom resources": ServiceTimeout, 1-3600 seconds),
 * so every wait below stays under an hour.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { ExpectedResult, IntegTest, Match } from '@aws-cdk/integ-tests-alpha';
import { EnvironmentName, LakehouseZone, PlatformStage, buildPlatform } from '../../lib';
import { DEFINITION } from '../../bin/main';
import { ENVIRONMENTS } from '../../bin/environments';
import { inferenceRow, sampleEvents } from '../../scripts/sample-events';

/** Events put on the stream: enough labelled customers for an 80/20 split that clears AUC 0.8. */
export const SAMPLE_SIZE = 480;

/** What the integ app built. */
export interface Day0Integ {
  readonly app: App;
  readonly stage: PlatformStage;
  readonly assertions: Stack;
  readonly test: IntegTest;
}

function poll(totalTimeout: Duration, interval = Duration.minutes(1)) {
  return { totalTimeout, interval, backoffRate: 1 };
}

/** Builds the integ app: the dev stage of the default app plus its assertions stack. */
export function buildDay0Integ(app: App): Day0Integ {
  const env: EnvironmentName = 'dev';
  const stage = buildPlatform(app, { definition: DEFINITION, environments: ENVIRONMENTS, select: [env] }).get(env)!;
  const platformStacks = [...(stage.foundationStack ? [stage.foundationStack] : []), stage.dataStack, ...stage.mlStacks, ...stage.servingStacks, ...stage.monitoringStacks];
  // Inside the stage, so that it may reference the platform's resources; deployed after all of them.
  const assertions = new Stack(stage, 'IntegAssertions', { stackName: `${DEFINITION.project}-${env}-integ-assertions`, description: 'Day-0 integration test: drives the loop and asserts each arrow' });
  for (const s of platformStacks) assertions.addStackDependency(s);
  const test = new IntegTest(app, 'Day0', {
    testCases: platformStacks,
    assertionStack: assertions,
    diffAssets: false,
    stackUpdateWorkflow: false,
  });
  const a = test.assertions;

  const stream = stage.pipelines.get('Ingest')!.stream!;
  const curate = stage.pipelines.get('Curate')!.stateMachine!;
  const buildSet = stage.pipelines.get('BuildTrainingSet')!.stateMachine!;
  const raw = stage.lakehouse.zoneBucket(LakehouseZone.RAW);
  const model = DEFINITION.models[0].name;
  const group = stage.registry.modelPackageGroupName(model);
  const endpoint = stage.endpoints.get(model)!;
  const events = sampleEvents(SAMPLE_SIZE);

  // 1. Kinesis PutRecords takes at most 500 records per call (Kinesis API reference, PutRecords).
  const put = a.awsApiCall('Kinesis', 'putRecords', {
    StreamName: stream.streamName,
    Records: events.map((e) => ({ Data: JSON.stringify(e), PartitionKey: e.customer_id })),
  });
  put.expect(ExpectedResult.objectLike({ FailedRecordCount: 0 }));
  put.provider.addToRolePolicy({ Effect: 'Allow', Action: ['kinesis:PutRecords'], Resource: [stream.streamArn] });
  put.provider.addToRolePolicy({ Effect: 'Allow', Action: ['kms:GenerateDataKey'], Resource: [stage.lakehouse.encryptionKey.keyArn] });

  // 2. Firehose delivers after its buffer interval (300 s by default) under events/dt=<day>/.
  const delivered = a.awsApiCall('S3', 'listObjectsV2', { Bucket: raw.bucketName, Prefix: 'events/dt=' });
  delivered.expect(ExpectedResult.objectLike({ Contents: Match.arrayWith([Match.objectLike({ Key: Match.stringLikeRegexp('^events/dt=') })]) }));
  delivered.provider.addToRolePolicy({ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [raw.bucketArn] });

  // 3. Curation, then the training set (StepFunctions StartExecution / DescribeExecution status).
  const runPipeline = (id: string, machineArn: string) => {
    const start = a.awsApiCall('StepFunctions', 'startExecution', { stateMachineArn: machineArn, name: `integ-${id}` });
    start.provider.addToRolePolicy({ Effect: 'Allow', Action: ['states:StartExecution'], Resource: [machineArn] });
    const done = a.awsApiCall('StepFunctions', 'describeExecution', { executionArn: start.getAttString('executionArn') });
    done.expect(ExpectedResult.objectLike({ status: 'SUCCEEDED' }));
    done.provider.addToRolePolicy({ Effect: 'Allow', Action: ['states:DescribeExecution'], Resource: ['*'] });
    return { start, done };
  };
  const curation = runPipeline('curate', curate.stateMachineArn);
  const trainingSet = runPipeline('training-set', buildSet.stateMachineArn);

  // 4. Retraining starts on the training-set pipeline's success and registers a pending version.
  const registered = a.awsApiCall('SageMaker', 'listModelPackages', { ModelPackageGroupName: group, SortBy: 'CreationTime', SortOrder: 'Descending' });
  registered.expect(ExpectedResult.objectLike({ ModelPackageSummaryList: Match.arrayWith([Match.objectLike({ ModelApprovalStatus: 'PendingManualApproval' })]) }));
  registered.provider.addToRolePolicy({ Effect: 'Allow', Action: ['sagemaker:ListModelPackages'], Resource: ['*'] });

  // 5. A person's approval, as the registry's approval gate sees it (UpdateModelPackage).
  const approve = a.awsApiCall('SageMaker', 'updateModelPackage', {
    ModelPackageArn: registered.getAttString('ModelPackageSummaryList.0.ModelPackageArn'),
    ModelApprovalStatus: 'Approved',
    ApprovalDescription: 'Approved by the day-0 integration test',
  });
  approve.provider.addToRolePolicy({ Effect: 'Allow', Action: ['sagemaker:UpdateModelPackage'], Resource: ['*'] });

  // 6. The promotion creates the endpoint through the serving stack; then a prediction.
  const inService = a.awsApiCall('SageMaker', 'describeEndpoint', { EndpointName: endpoint.endpointName });
  inService.expect(ExpectedResult.objectLike({ EndpointStatus: 'InService' }));
  inService.provider.addToRolePolicy({ Effect: 'Allow', Action: ['sagemaker:DescribeEndpoint'], Resource: [endpoint.endpointArn] });
  const invoke = a.awsApiCall('SageMakerRuntime', 'invokeEndpoint', {
    EndpointName: endpoint.endpointName,
    ContentType: 'text/csv',
    Body: inferenceRow(events[0]),
  });
  // Built-in XGBoost answers text/csv requests with one score per row (binary:logistic: a probability).
  invoke.expect(ExpectedResult.objectLike({ Body: Match.stringLikeRegexp('^\\s*(0(\\.\\d+)?|1(\\.0+)?|\\d\\.\\d+e-\\d+)\\s*$') }));
  invoke.provider.addToRolePolicy({ Effect: 'Allow', Action: ['sagemaker:InvokeEndpoint'], Resource: [endpoint.endpointArn] });

  // 7. Data capture writes the request to <prefix><endpoint>/<variant>/yyyy/mm/dd/hh/ within minutes.
  const captured = a.awsApiCall('S3', 'listObjectsV2', { Bucket: raw.bucketName, Prefix: `data-capture/${endpoint.endpointName}/` });
  captured.expect(ExpectedResult.objectLike({ Contents: Match.arrayWith([Match.objectLike({ Key: Match.stringLikeRegexp('\\.jsonl$') })]) }));
  captured.provider.addToRolePolicy({ Effect: 'Allow', Action: ['s3:ListBucket'], Resource: [raw.bucketArn] });

  put
    .next(delivered.waitForAssertions(poll(Duration.minutes(20))))
    .next(curation.start).next(curation.done.waitForAssertions(poll(Duration.minutes(45))))
    .next(trainingSet.start).next(trainingSet.done.waitForAssertions(poll(Duration.minutes(45))))
    .next(registered.waitForAssertions(poll(Duration.minutes(55), Duration.minutes(2))))
    .next(approve)
    .next(inService.waitForAssertions(poll(Duration.minutes(55), Duration.minutes(2))))
    .next(invoke)
    .next(captured.waitForAssertions(poll(Duration.minutes(20))));
  return { app, stage, assertions, test };
}

if (require.main === module) {
  const app = new App({ context: { env: 'dev' } });
  buildDay0Integ(app);
  app.synth();
}
