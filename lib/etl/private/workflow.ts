import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { createLogGroup } from '../../core/encryption';
import { acknowledgeWildcardResources } from '../../core/nag';
import * as perms from '../perms';
import { BatchResources } from './batch';

/**
 * Transient errors of the AWS SDK integration tasks (`arn:aws:states:::aws-sdk:glue:*`). "Learning
 * to use AWS service SDK integrations in Step Functions": their error names are
 * `<ServiceName>.<ErrorName>` with the error names of the service's API reference (ThrottlingException
 * is one of the Glue API's common errors; InternalServiceException and OperationTimeoutException
 * are listed for the crawler and data-quality actions). ConcurrentRunsExceededException is a
 * StartJobRun error no call of these tasks returns, and `Glue.AWSGlueException` is the name the
 * optimized Glue integration gives service errors (its SDK client's base exception, as
 * `Lambda.AWSLambdaException` in "Handle Lambda service exceptions"), never an SDK integration's.
 */
const SDK_TRANSIENT_ERRORS = ['Glue.ThrottlingException', 'Glue.InternalServiceException', 'Glue.OperationTimeoutException'];

/**
 * Transient errors of the optimized `glue:startJobRun.sync` task: a concurrent run still holding the
 * job's single slot, Glue's transient faults, and `Glue.AWSGlueException` (service errors the
 * optimized integration does not model, throttling included). A failed, stopped or timed-out run
 * is `States.TaskFailed` and is not retried: Step Functions owns retries and a failed run is data.
 */
const RUN_JOB_TRANSIENT_ERRORS = [
  'Glue.ConcurrentRunsExceededException', 'Glue.InternalServiceException', 'Glue.OperationTimeoutException', 'Glue.AWSGlueException',
];

/** The names of the batch workflow's states, for tests and for readers of execution histories. */
export const WORKFLOW_STATES = {
  runJob: 'RunJob',
  startCrawler: 'StartCrawler',
  waitForCrawler: 'WaitForCrawler',
  getCrawler: 'GetCrawler',
  crawlerDone: 'CrawlerDone?',
  startDataQuality: 'StartDataQuality',
  waitForDataQuality: 'WaitForDataQuality',
  getDataQualityRun: 'GetDataQualityRun',
  dataQualityRunDone: 'DataQualityRunDone?',
  describeDataQualityRunFailure: 'DescribeDataQualityRunFailure',
  getDataQualityResult: 'GetDataQualityResult',
  dataQualityPassed: 'DataQualityPassed?',
  succeeded: 'Succeeded',
  jobFailed: 'JobFailed',
  crawlFailed: 'CrawlFailed',
  catalogUpdateFailed: 'CatalogUpdateFailed',
  dataQualityFailed: 'DataQualityFailed',
  dataQualityEvaluationFailed: 'DataQualityEvaluationFailed',
} as const;

/** Inputs of the orchestration. */
export interface WorkflowProps {
  readonly batch: BatchResources;
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly runTimeout: Duration;
  readonly dataQualityTimeout: Duration;
}

const TRANSIENT_RETRY: sfn.RetryProps = {
  errors: SDK_TRANSIENT_ERRORS,
  interval: Duration.seconds(30),
  backoffRate: 2,
  maxAttempts: 4,
  maxDelay: Duration.minutes(10),
  jitterStrategy: sfn.JitterType.FULL,
};

function retryTransient(task: sfn.TaskStateBase, extraErrors: string[] = []): void {
  task.addRetry({ ...TRANSIENT_RETRY, errors: [...SDK_TRANSIENT_ERRORS, ...extraErrors] });
}

/**
 * The batch orchestration: run the job (waiting for it), register the partitions it wrote, evaluate
 * the data-quality ruleset on what the run wrote, succeed. Any failure, including a failing rule,
 * ends the execution in a Fail state, which the pipeline's failure hooks and alerts observe.
 *
 * Why this order: Glue Data Quality reads the target through the Data Catalog, so a partition the
 * job wrote is invisible to the gate until it is registered. Gating first and crawling after (the
 * old order) deadlocks a Parquet target: the first run sees zero partitions, `RowCount > 0` fails,
 * the crawler never runs, and every later run fails the same way. So for a Parquet target the
 * crawler runs before the gate (whatever the script does; the bundled curation script also adds
 * its partitions itself with `enableUpdateCatalog`, "Updating the schema, and adding new
 * partitions in the Data Catalog using AWS Glue ETL jobs"). The gate then evaluates the batch
 * the run wrote: every run passes its execution name to the job as `--run_id`, and with
 * `dataQuality.runPartitionKey` the job writes it as that partition key and the evaluation reads
 * only those partitions (`DataSource.GlueTable.AdditionalOptions.pushDownPredicate`, "to filter on
 * partitions without having to list and read all the files", API reference, DataQualityGlueTable /
 * GlueTable). An Iceberg target commits its snapshot to the catalog itself and is gated whole.
 */
export class BatchWorkflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const b = props.batch;
    const stack = Stack.of(this);
    const S = WORKFLOW_STATES;

    const jobFailed = new sfn.Fail(this, S.jobFailed, { error: 'JobFailed', causePath: '$.error.Cause' });
    const dqFailed = new sfn.Fail(this, S.dataQualityFailed, {
      error: 'DataQualityFailed',
      cause: `One or more data-quality rules failed on ${b.targetDatabase}.${b.targetTable}; downstream retraining does not start.`,
    });
    const dqError = new sfn.Fail(this, S.dataQualityEvaluationFailed, { error: 'DataQualityEvaluationFailed', causePath: '$.error.Cause' });
    const succeeded = new sfn.Succeed(this, S.succeeded);

    // A custom state: GlueStartJobRun maps its taskTimeout onto the job run's own Timeout, while we want
    // both the job's timeout and a state timeout that catches a run that stops reporting.
    const runJob = new sfn.CustomState(this, S.runJob, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::glue:startJobRun.sync`,
        Parameters: {
          JobName: b.jobName,
          Timeout: b.jobTimeout.toMinutes(),
          // StartJobRun "Arguments": run arguments replace the job's default arguments of the same name.
          Arguments: { '--run_id.$': '$$.Execution.Name' },
        },
        TimeoutSeconds: b.jobTimeout.plus(Duration.minutes(15)).toSeconds(),
        ResultSelector: { 'JobRunId.$': '$.Id', 'JobRunState.$': '$.JobRunState' },
        ResultPath: '$.job',
      },
    });
    runJob.addRetry({ ...TRANSIENT_RETRY, errors: RUN_JOB_TRANSIENT_ERRORS });
    runJob.addCatch(jobFailed, { resultPath: '$.error' });

    const dqTimeoutMinutes = Math.max(1, Math.ceil(props.dataQualityTimeout.toMinutes({ integral: false })));
    const glueTable: Record<string, unknown> = { DatabaseName: b.targetDatabase, TableName: b.targetTable };
    if (b.runPartitionKey) {
      glueTable.AdditionalOptions = { pushDownPredicate: sfn.JsonPath.format(`${b.runPartitionKey} = '{}'`, sfn.JsonPath.executionName) };
    }
    const startDq = new tasks.CallAwsService(this, S.startDataQuality, {
      service: 'glue',
      action: 'startDataQualityRulesetEvaluationRun',
      iamAction: 'glue:StartDataQualityRulesetEvaluationRun',
      parameters: {
        DataSource: { GlueTable: glueTable },
        Role: b.role.roleArn,
        RulesetNames: [b.rulesetName],
        NumberOfWorkers: 2,
        Timeout: dqTimeoutMinutes,
        AdditionalRunOptions: { CloudWatchMetricsEnabled: true },
      },
      iamResources: [b.rulesetArn],
      additionalIamStatements: [new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [b.role.roleArn] })],
      resultSelector: { 'RunId.$': '$.RunId' },
      resultPath: '$.dq',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(5)),
    });
    retryTransient(startDq);
    startDq.addCatch(dqError, { resultPath: '$.error' });

    const waitDq = new sfn.Wait(this, S.waitForDataQuality, { time: sfn.WaitTime.duration(Duration.seconds(30)) });
    // The whole response: GetDataQualityRulesetEvaluationRun omits ResultIds while the run is
    // starting or running and on failed runs, and ErrorString unless it failed (API reference:
    // every response element is optional), so the state selects nothing that may be absent.
    const pollDq = new tasks.CallAwsService(this, S.getDataQualityRun, {
      service: 'glue',
      action: 'getDataQualityRulesetEvaluationRun',
      iamAction: 'glue:GetDataQualityRulesetEvaluationRun',
      parameters: { 'RunId.$': '$.dq.RunId' },
      iamResources: [stack.formatArn({ service: 'glue', resource: 'dataQualityRuleset', resourceName: '*' })],
      resultPath: '$.dqRun',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
    });
    retryTransient(pollDq);
    pollDq.addCatch(dqError, { resultPath: '$.error' });

    const getResult = new tasks.CallAwsService(this, S.getDataQualityResult, {
      service: 'glue',
      action: 'getDataQualityResult',
      iamAction: 'glue:GetDataQualityResult',
      parameters: { 'ResultId.$': '$.dqRun.ResultIds[0]' },
      iamResources: [b.rulesetArn],
      resultSelector: { 'Score.$': '$.Score' },
      resultPath: '$.dqResult',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
    });
    retryTransient(getResult);
    getResult.addCatch(dqError, { resultPath: '$.error' });

    const passed = new sfn.Choice(this, S.dataQualityPassed)
      // Score is the fraction of rules that passed: anything below 1 is a failing rule.
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.dqResult.Score'), sfn.Condition.numberEquals('$.dqResult.Score', 1)), succeeded)
      .otherwise(dqFailed);

    // A run that ended without results: the Fail state reads $.error.Cause, which only a Catch
    // writes, so this Pass state writes it from the run itself (its status and ErrorString).
    const describeFailure = new sfn.Pass(this, S.describeDataQualityRunFailure, {
      parameters: {
        Error: 'DataQualityEvaluationFailed',
        Cause: sfn.JsonPath.format('Data-quality run {} ended with status {} and no result: {}',
          sfn.JsonPath.stringAt('$.dq.RunId'), sfn.JsonPath.stringAt('$.dqRun.Status'), sfn.JsonPath.jsonToString(sfn.JsonPath.objectAt('$.dqRun'))),
      },
      resultPath: '$.error',
    }).next(dqError);

    const dqDone = new sfn.Choice(this, S.dataQualityRunDone)
      .when(sfn.Condition.and(
        sfn.Condition.stringEquals('$.dqRun.Status', 'SUCCEEDED'),
        sfn.Condition.isPresent('$.dqRun.ResultIds[0]'),
      ), getResult.next(passed))
      .when(sfn.Condition.or(
        sfn.Condition.stringEquals('$.dqRun.Status', 'SUCCEEDED'),
        sfn.Condition.stringEquals('$.dqRun.Status', 'FAILED'),
        sfn.Condition.stringEquals('$.dqRun.Status', 'STOPPED'),
        sfn.Condition.stringEquals('$.dqRun.Status', 'TIMEOUT'),
        sfn.Condition.stringEquals('$.dqRun.Status', 'ERROR'),
      ), describeFailure)
      .otherwise(waitDq);

    const gate = startDq.next(waitDq).next(pollDq).next(dqDone);
    const definition = runJob.next(b.crawler ? this.crawlerSteps(b, startDq) : gate);

    const logGroup = createLogGroup(this, 'Logs', { key: props.key, removalPolicy: props.removalPolicy });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: props.runTimeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `Batch ETL ${b.node.path}: job -> ${b.crawler ? 'catalog -> ' : ''}data quality`,
    });
    // What the .sync Glue integration needs, on this job only.
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({
      actions: perms.JOB_RUN,
      resources: [stack.formatArn({ service: 'glue', resource: 'job', resourceName: b.jobName })],
    }));
    acknowledgeWildcardResources(this.stateMachine.role, ['*'],
      'Step Functions log delivery and X-Ray tracing APIs support no resource-level permissions.');
    acknowledgeWildcardResources(this.stateMachine.role, [stack.formatArn({ service: 'glue', resource: 'dataQualityRuleset', resourceName: '*' })],
      'GetDataQualityRulesetEvaluationRun is authorized against the ruleset resource type, not the run; the run ID is only known at run time.');
  }

  /** Crawl the target (registering the partitions the job wrote), then continue with the gate. */
  private crawlerSteps(b: BatchResources, next: sfn.IChainable): sfn.IChainable {
    const S = WORKFLOW_STATES;
    const crawlerName = b.crawler!.ref;
    const crawlerArn = Stack.of(this).formatArn({ service: 'glue', resource: 'crawler', resourceName: crawlerName });
    const failed = new sfn.Fail(this, S.catalogUpdateFailed, { error: 'CatalogUpdateFailed', causePath: '$.error.Cause' });
    const start = new tasks.CallAwsService(this, S.startCrawler, {
      service: 'glue',
      action: 'startCrawler',
      iamAction: perms.CRAWLER_RUN[0],
      parameters: { Name: crawlerName },
      iamResources: [crawlerArn],
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
    });
    // A crawl still running (started by hand or by an overlapping run) makes StartCrawler fail with
    // CrawlerRunningException ("Exceptions" in the Glue API reference): wait and start again.
    retryTransient(start, ['Glue.CrawlerRunningException']);
    start.addCatch(failed, { resultPath: '$.error' });
    const wait = new sfn.Wait(this, S.waitForCrawler, { time: sfn.WaitTime.duration(Duration.seconds(60)) });
    // GetCrawler's Crawler.LastCrawl is absent until a crawler's first crawl has finished (API
    // reference, Crawler: LastCrawl "Required: No"), so the whole Crawler object is kept and the
    // Choice tests for LastCrawl before reading it.
    const poll = new tasks.CallAwsService(this, S.getCrawler, {
      service: 'glue',
      action: 'getCrawler',
      iamAction: perms.CRAWLER_RUN[1],
      parameters: { Name: crawlerName },
      iamResources: [crawlerArn],
      resultSelector: { 'Crawler.$': '$.Crawler' },
      resultPath: '$.crawler',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
    });
    retryTransient(poll);
    poll.addCatch(failed, { resultPath: '$.error' });
    const ready = sfn.Condition.and(
      sfn.Condition.isPresent('$.crawler.Crawler.State'),
      sfn.Condition.stringEquals('$.crawler.Crawler.State', 'READY'),
      sfn.Condition.isPresent('$.crawler.Crawler.LastCrawl.Status'),
    );
    const done = new sfn.Choice(this, S.crawlerDone)
      .when(sfn.Condition.and(ready, sfn.Condition.stringEquals('$.crawler.Crawler.LastCrawl.Status', 'SUCCEEDED')), next)
      .when(ready, new sfn.Fail(this, S.crawlFailed, {
        error: 'CatalogUpdateFailed', cause: `Crawler ${b.node.path}/Crawler did not succeed; the gate did not run.`,
      }))
      // RUNNING or STOPPING, or READY before the first crawl has reported: poll again.
      .otherwise(wait);
    return start.next(wait).next(poll).next(done);
  }
}
