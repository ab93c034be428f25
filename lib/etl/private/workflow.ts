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

/** Errors worth retrying on every Glue API call: throttling and transient service faults. */
const TRANSIENT_GLUE_ERRORS = [
  'Glue.ThrottlingException', 'Glue.InternalServiceException', 'Glue.OperationTimeoutException', 'Glue.ConcurrentRunsExceededException',
  'Glue.AWSGlueException',
];

/** Inputs of the orchestration. */
export interface WorkflowProps {
  readonly batch: BatchResources;
  readonly key: kms.IKey;
  readonly removalPolicy: RemovalPolicy;
  readonly runTimeout: Duration;
  readonly dataQualityTimeout: Duration;
}

const TRANSIENT_RETRY: sfn.RetryProps = {
  errors: TRANSIENT_GLUE_ERRORS,
  interval: Duration.seconds(30),
  backoffRate: 2,
  maxAttempts: 4,
  maxDelay: Duration.minutes(10),
  jitterStrategy: sfn.JitterType.FULL,
};

function retryTransient(task: sfn.TaskStateBase, extraErrors: string[] = []): void {
  task.addRetry({ ...TRANSIENT_RETRY, errors: [...TRANSIENT_GLUE_ERRORS, ...extraErrors] });
}

/**
 * The batch orchestration: run the job (waiting for it), evaluate the data-quality ruleset on the
 * target table, refresh the catalog, succeed. Any failure, including a failing rule, ends the
 * execution in a Fail state, which the pipeline's failure hooks and alerts observe.
 */
export class BatchWorkflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const b = props.batch;
    const stack = Stack.of(this);

    const jobFailed = new sfn.Fail(this, 'JobFailed', { error: 'JobFailed', causePath: '$.error.Cause' });
    const dqFailed = new sfn.Fail(this, 'DataQualityFailed', {
      error: 'DataQualityFailed',
      cause: `One or more data-quality rules failed on ${b.targetDatabase}.${b.targetTable}; downstream retraining does not start.`,
    });
    const dqError = new sfn.Fail(this, 'DataQualityEvaluationFailed', { error: 'DataQualityEvaluationFailed', causePath: '$.error.Cause' });
    const catalogFailed = new sfn.Fail(this, 'CatalogUpdateFailed', { error: 'CatalogUpdateFailed', causePath: '$.error.Cause' });
    const succeeded = new sfn.Succeed(this, 'Succeeded');

    // A custom state: GlueStartJobRun maps its taskTimeout onto the job run's own Timeout, while we want
    // both the job's timeout and a state timeout that catches a run that stops reporting.
    const runJob = new sfn.CustomState(this, 'RunJob', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::glue:startJobRun.sync`,
        Parameters: { JobName: b.jobName, Timeout: b.jobTimeout.toMinutes() },
        TimeoutSeconds: b.jobTimeout.plus(Duration.minutes(15)).toSeconds(),
        ResultSelector: { 'JobRunId.$': '$.Id', 'JobRunState.$': '$.JobRunState', 'ExecutionTime.$': '$.ExecutionTime' },
        ResultPath: '$.job',
      },
    });
    runJob.addRetry(TRANSIENT_RETRY);
    runJob.addCatch(jobFailed, { resultPath: '$.error' });

    const dqTimeoutMinutes = Math.max(1, Math.ceil(props.dataQualityTimeout.toMinutes({ integral: false })));
    const startDq = new tasks.CallAwsService(this, 'StartDataQuality', {
      service: 'glue',
      action: 'startDataQualityRulesetEvaluationRun',
      iamAction: 'glue:StartDataQualityRulesetEvaluationRun',
      parameters: {
        DataSource: { GlueTable: { DatabaseName: b.targetDatabase, TableName: b.targetTable } },
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

    const waitDq = new sfn.Wait(this, 'WaitForDataQuality', { time: sfn.WaitTime.duration(Duration.seconds(30)) });
    const pollDq = new tasks.CallAwsService(this, 'GetDataQualityRun', {
      service: 'glue',
      action: 'getDataQualityRulesetEvaluationRun',
      iamAction: 'glue:GetDataQualityRulesetEvaluationRun',
      parameters: { 'RunId.$': '$.dq.RunId' },
      iamResources: [stack.formatArn({ service: 'glue', resource: 'dataQualityRuleset', resourceName: '*' })],
      resultSelector: { 'Status.$': '$.Status', 'ResultIds.$': '$.ResultIds' },
      resultPath: '$.dqRun',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
    });
    retryTransient(pollDq);
    pollDq.addCatch(dqError, { resultPath: '$.error' });

    const getResult = new tasks.CallAwsService(this, 'GetDataQualityResult', {
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

    const catalog = b.crawler ? this.crawlerSteps(b, succeeded, catalogFailed) : succeeded;
    const passed = new sfn.Choice(this, 'DataQualityPassed?')
      // Score is the fraction of rules that passed: anything below 1 is a failing rule.
      .when(sfn.Condition.and(sfn.Condition.isPresent('$.dqResult.Score'), sfn.Condition.numberEquals('$.dqResult.Score', 1)), catalog)
      .otherwise(dqFailed);

    const dqDone = new sfn.Choice(this, 'DataQualityRunDone?')
      .when(sfn.Condition.stringEquals('$.dqRun.Status', 'SUCCEEDED'), getResult.next(passed))
      .when(sfn.Condition.or(
        sfn.Condition.stringEquals('$.dqRun.Status', 'FAILED'),
        sfn.Condition.stringEquals('$.dqRun.Status', 'STOPPED'),
        sfn.Condition.stringEquals('$.dqRun.Status', 'TIMEOUT'),
        sfn.Condition.stringEquals('$.dqRun.Status', 'ERROR'),
      ), dqError)
      .otherwise(waitDq);

    const definition = runJob.next(startDq).next(waitDq).next(pollDq).next(dqDone);

    const logGroup = createLogGroup(this, 'Logs', { key: props.key, removalPolicy: props.removalPolicy });
    this.stateMachine = new sfn.StateMachine(this, 'Resource', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: props.runTimeout,
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `Batch ETL ${b.node.path}: job -> data quality -> catalog`,
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

  private crawlerSteps(b: BatchResources, succeeded: sfn.Succeed, failed: sfn.Fail): sfn.IChainable {
    const crawlerName = b.crawler!.ref;
    const crawlerArn = Stack.of(this).formatArn({ service: 'glue', resource: 'crawler', resourceName: crawlerName });
    const start = new tasks.CallAwsService(this, 'StartCrawler', {
      service: 'glue',
      action: 'startCrawler',
      iamAction: perms.CRAWLER_RUN[0],
      parameters: { Name: crawlerName },
      iamResources: [crawlerArn],
      resultPath: sfn.JsonPath.DISCARD,
      taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
    });
    retryTransient(start, ['Glue.CrawlerRunningException']);
    start.addCatch(failed, { resultPath: '$.error' });
    const wait = new sfn.Wait(this, 'WaitForCrawler', { time: sfn.WaitTime.duration(Duration.seconds(60)) });
    const poll = new tasks.CallAwsService(this, 'GetCrawler', {
      service: 'glue',
      action: 'getCrawler',
      iamAction: perms.CRAWLER_RUN[1],
      parameters: { Name: crawlerName },
      iamResources: [crawlerArn],
      resultSelector: { 'State.$': '$.Crawler.State', 'LastCrawl.$': '$.Crawler.LastCrawl' },
      resultPath: '$.crawler',
      taskTimeout: sfn.Timeout.duration(Duration.minutes(2)),
    });
    retryTransient(poll);
    poll.addCatch(failed, { resultPath: '$.error' });
    const done = new sfn.Choice(this, 'CrawlerDone?')
      .when(sfn.Condition.and(
        sfn.Condition.stringEquals('$.crawler.State', 'READY'),
        sfn.Condition.stringEquals('$.crawler.LastCrawl.Status', 'SUCCEEDED'),
      ), succeeded)
      .when(sfn.Condition.stringEquals('$.crawler.State', 'READY'), new sfn.Fail(this, 'CrawlFailed', {
        error: 'CatalogUpdateFailed', cause: `Crawler ${b.node.path}/Crawler did not succeed`,
      }))
      .otherwise(wait);
    return start.next(wait).next(poll).next(done);
  }
}
