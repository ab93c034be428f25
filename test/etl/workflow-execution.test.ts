import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ColumnType, DataLakehouse, EtlPipeline, LakehouseZone, TableFormat } from '../../lib';
import { SKIP_BUNDLING, testStack } from '../helpers/app';
import { ExecutionRecord, TaskMock, execute, sequence, taskError } from '../helpers/asl';
import { JOB_SCRIPT, stateMachineDefinition } from '../helpers/etl';

// Item 14 (ETL part): the batch workflow executed locally over every path, with task results shaped
// as the Glue API reference documents the responses. Mock shapes and their sources:
// - glue:startJobRun.sync returns the JobRun of GetJobRun (Glue API, "JobRun structure": Id,
//   JobName, JobRunState, ExecutionTime, ...); a run that ends FAILED/TIMEOUT/ERROR/STOPPED is the
//   task error States.TaskFailed ("Handling errors in Step Functions"), whose Cause is the JobRun JSON.
// - StartCrawler returns an empty object (Glue API, StartCrawler: "Response Elements: none").
// - GetCrawler returns { Crawler } (Glue API, Crawler structure); LastCrawl ("Required: No") is
//   absent until the first crawl has finished; LastCrawl.Status is SUCCEEDED | CANCELLED | FAILED.
// - StartDataQualityRulesetEvaluationRun returns { RunId }.
// - GetDataQualityRulesetEvaluationRun returns RunId, DataSource, Status (STARTING | RUNNING |
//   STOPPING | STOPPED | SUCCEEDED | FAILED | TIMEOUT), StartedOn, ... and ResultIds only once
//   results exist, ErrorString only on failure.
// - GetDataQualityResult returns ResultId, Score (fraction of rules passed), RuleResults, ...
// Error names: SDK integration tasks report `Glue.<ErrorName>` ("Learning to use AWS service SDK
// integrations in Step Functions"); the optimized .sync integration reports modeled errors the same
// way and unmodeled service errors as Glue.AWSGlueException.

const columns = [
  { name: 'event_id', type: ColumnType.STRING }, { name: 'event_time', type: ColumnType.TIMESTAMP },
  { name: 'customer_id', type: ColumnType.STRING }, { name: 'churned', type: ColumnType.DOUBLE },
];
const dt = { name: 'dt', type: ColumnType.STRING };

function definitionFor(target: 'parquet' | 'iceberg') {
  const stack: Stack = testStack({ context: SKIP_BUNDLING });
  const lakehouse = new DataLakehouse(stack, 'Lake', {
    tables: [
      { name: 'events', zone: LakehouseZone.RAW, columns, partitionKeys: [dt], partitionProjection: { column: 'dt', start: '2026-01-01' } },
      { name: 'events_clean', zone: LakehouseZone.CURATED, columns, partitionKeys: [dt, { name: 'run_id', type: ColumnType.STRING }] },
      { name: 'samples', zone: LakehouseZone.CURATED, format: TableFormat.ICEBERG, columns },
    ],
  });
  new EtlPipeline(stack, 'Pipeline', {
    lakehouse,
    batch: {
      script: JOB_SCRIPT,
      source: target === 'parquet' ? { zone: LakehouseZone.RAW, table: 'events' } : { zone: LakehouseZone.CURATED, table: 'events_clean' },
      target: target === 'parquet' ? { zone: LakehouseZone.CURATED, table: 'events_clean' } : { zone: LakehouseZone.CURATED, table: 'samples' },
      dataQuality: { ruleset: 'Rules = [ RowCount > 0 ]', runPartitionKey: target === 'parquet' ? 'run_id' : undefined },
    },
  });
  return stateMachineDefinition(Template.fromStack(stack));
}

const def = definitionFor('parquet');

const jobRun = (state: string) => ({
  Id: 'jr_0123', JobName: 'curate', JobRunState: state, StartedOn: '2026-12-04T02:00:05Z', CompletedOn: '2026-12-04T02:10:05Z',
  ExecutionTime: 600, Arguments: { '--run_id': 'run-1' }, GlueVersion: '5.0',
});
const crawler = (state: string, lastCrawl?: object) => ({
  Crawler: { Name: 'crawler', State: state, DatabaseName: 'db', ...(lastCrawl ? { LastCrawl: lastCrawl } : {}) },
});
const lastCrawl = (status: string) => ({ Status: status, LogGroup: '/aws-glue/crawlers', StartTime: '2026-12-04T02:11:00Z', ...(status === 'FAILED' ? { ErrorMessage: 'Access denied' } : {}) });
const dqRun = (status: string, extra: object = {}) => ({
  RunId: 'dqrun-1', Status: status, StartedOn: '2026-12-04T02:13:00Z', RulesetNames: ['ruleset'], NumberOfWorkers: 2, Timeout: 30,
  DataSource: { GlueTable: { DatabaseName: 'db', TableName: 'events_clean' } }, ...extra,
});
const dqResult = (score: number) => ({
  ResultId: 'dqresult-1', Score: score, RulesetName: 'ruleset', RulesetEvaluationRunId: 'dqrun-1',
  RuleResults: [{ Name: 'Rule_1', Description: 'RowCount > 0', Result: score === 1 ? 'PASS' : 'FAIL' }],
});

/** The happy path, each state's mock overridable. */
function mocks(overrides: Record<string, TaskMock> = {}): Record<string, TaskMock> {
  return {
    RunJob: sequence(jobRun('SUCCEEDED')),
    StartCrawler: sequence({}),
    GetCrawler: sequence(crawler('RUNNING', lastCrawl('SUCCEEDED')), crawler('READY', lastCrawl('SUCCEEDED'))),
    StartDataQuality: sequence({ RunId: 'dqrun-1' }),
    GetDataQualityRun: sequence(dqRun('STARTING'), dqRun('RUNNING'), dqRun('SUCCEEDED', { ResultIds: ['dqresult-1'], CompletedOn: '2026-12-04T02:15:00Z' })),
    GetDataQualityResult: sequence(dqResult(1)),
    ...overrides,
  };
}

const run = (overrides: Record<string, TaskMock> = {}, d = def): Promise<ExecutionRecord> => execute(d, { source: 'aws.events' }, mocks(overrides));

describe('batch workflow executions (Parquet target, gate scoped to the run)', () => {
  test('happy path: job, crawl, then the gate on the run just written, succeeds', async () => {
    const r = await run();
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path).toEqual([
      'RunJob', 'StartCrawler', 'WaitForCrawler', 'GetCrawler', 'CrawlerDone?', 'WaitForCrawler', 'GetCrawler', 'CrawlerDone?',
      'StartDataQuality', 'WaitForDataQuality', 'GetDataQualityRun', 'DataQualityRunDone?', 'WaitForDataQuality', 'GetDataQualityRun',
      'DataQualityRunDone?', 'WaitForDataQuality', 'GetDataQualityRun', 'DataQualityRunDone?', 'GetDataQualityResult', 'DataQualityPassed?', 'Succeeded',
    ]);
    // The run id reaches the job and, as a partition predicate, the evaluation (item 11).
    expect(r.calls.RunJob[0]).toEqual({ JobName: expect.any(String), Timeout: 120, Arguments: { '--run_id': 'run-1' } });
    expect(r.calls.StartDataQuality[0].DataSource).toEqual({
      GlueTable: { DatabaseName: 'mlops_prod_lake_curated', TableName: 'events_clean', AdditionalOptions: { pushDownPredicate: "run_id = 'run-1'" } },
    });
    expect(r.calls.GetDataQualityResult).toEqual([{ ResultId: 'dqresult-1' }]);
  });

  test('the first run after a deploy: GetCrawler without LastCrawl polls again instead of failing with States.Runtime', async () => {
    const r = await run({ GetCrawler: sequence(crawler('RUNNING'), crawler('READY'), crawler('READY', lastCrawl('SUCCEEDED'))) });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.calls.GetCrawler).toHaveLength(3);
  });

  test('a data-quality run that is starting has no ResultIds: the first poll waits instead of failing with States.Runtime', async () => {
    const r = await run({ GetDataQualityRun: sequence(dqRun('STARTING'), dqRun('SUCCEEDED', { ResultIds: ['dqresult-1'] })) });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.calls.GetDataQualityRun).toHaveLength(2);
  });

  test('RunJob retries Glue.ConcurrentRunsExceededException (the previous run still holds the single slot)', async () => {
    const r = await run({ RunJob: sequence(taskError('Glue.ConcurrentRunsExceededException'), jobRun('SUCCEEDED')) });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.calls.RunJob).toHaveLength(2);
  });

  test('RunJob retries Glue.AWSGlueException (unmodeled service errors of the optimized integration)', async () => {
    const r = await run({ RunJob: sequence(taskError('Glue.AWSGlueException', 'Rate exceeded'), taskError('Glue.InternalServiceException'), jobRun('SUCCEEDED')) });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.calls.RunJob).toHaveLength(3);
  });

  test('a failed job run is not retried and fails the execution with the run as cause', async () => {
    const cause = JSON.stringify({ ...jobRun('FAILED'), ErrorMessage: 'AnalysisException: path does not exist' });
    const r = await run({ RunJob: sequence(taskError('States.TaskFailed', cause)) });
    expect(r).toMatchObject({ status: 'FAILED', error: 'JobFailed', cause });
    expect(r.calls.RunJob).toHaveLength(1);
    expect(r.calls.StartCrawler).toBeUndefined();
  });

  test('RunJob gives up after its retries and fails as JobFailed', async () => {
    const r = await run({ RunJob: sequence(taskError('Glue.ConcurrentRunsExceededException', 'Concurrent runs exceeded')) });
    expect(r).toMatchObject({ status: 'FAILED', error: 'JobFailed', cause: 'Concurrent runs exceeded' });
    expect(r.calls.RunJob).toHaveLength(5);
  });

  test('StartCrawler retries Glue.CrawlerRunningException and throttling', async () => {
    const r = await run({ StartCrawler: sequence(taskError('Glue.CrawlerRunningException'), taskError('Glue.ThrottlingException'), {}) });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.calls.StartCrawler).toHaveLength(3);
  });

  test('StartCrawler failing for good ends in CatalogUpdateFailed with the error cause, and the gate never runs', async () => {
    const r = await run({ StartCrawler: sequence(taskError('Glue.EntityNotFoundException', 'Crawler entry with name crawler does not exist')) });
    expect(r).toMatchObject({ status: 'FAILED', error: 'CatalogUpdateFailed', cause: 'Crawler entry with name crawler does not exist' });
    expect(r.calls.StartDataQuality).toBeUndefined();
  });

  test('GetCrawler retries Glue.OperationTimeoutException', async () => {
    const r = await run({ GetCrawler: sequence(taskError('Glue.OperationTimeoutException'), crawler('READY', lastCrawl('SUCCEEDED'))) });
    expect(r.status).toBe('SUCCEEDED');
  });

  test('a failed crawl fails the execution before the gate', async () => {
    const r = await run({ GetCrawler: sequence(crawler('READY', lastCrawl('FAILED'))) });
    expect(r).toMatchObject({ status: 'FAILED', error: 'CatalogUpdateFailed' });
    expect(r.path.at(-1)).toBe('CrawlFailed');
    expect(r.calls.StartDataQuality).toBeUndefined();
  });

  test('StartDataQuality retries throttling, then an invalid request fails as DataQualityEvaluationFailed with its cause', async () => {
    const retried = await run({ StartDataQuality: sequence(taskError('Glue.ThrottlingException'), { RunId: 'dqrun-1' }) });
    expect(retried.status).toBe('SUCCEEDED');
    const failed = await run({ StartDataQuality: sequence(taskError('Glue.InvalidInputException', 'Ruleset not found')) });
    expect(failed).toMatchObject({ status: 'FAILED', error: 'DataQualityEvaluationFailed', cause: 'Ruleset not found' });
  });

  test('GetDataQualityRun gives up after its retries and fails as DataQualityEvaluationFailed', async () => {
    const r = await run({ GetDataQualityRun: sequence(taskError('Glue.ThrottlingException', 'Rate exceeded')) });
    expect(r).toMatchObject({ status: 'FAILED', error: 'DataQualityEvaluationFailed', cause: 'Rate exceeded' });
    expect(r.calls.GetDataQualityRun).toHaveLength(5);
  });

  test('a FAILED evaluation run fails with its status and ErrorString as cause (not a lost $.error.Cause)', async () => {
    const r = await run({ GetDataQualityRun: sequence(dqRun('FAILED', { ErrorString: 'Table events_clean has no partitions matching run_id' })) });
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('DataQualityEvaluationFailed');
    expect(r.cause).toMatch(/^Data-quality run dqrun-1 ended with status FAILED and no result: /);
    expect(r.cause).toContain('Table events_clean has no partitions matching run_id');
    expect(r.path.slice(-2)).toEqual(['DescribeDataQualityRunFailure', 'DataQualityEvaluationFailed']);
  });

  test.each(['STOPPED', 'TIMEOUT'])('a %s evaluation run without ErrorString fails with its status as cause', async (status) => {
    const r = await run({ GetDataQualityRun: sequence(dqRun(status)) });
    expect(r).toMatchObject({ status: 'FAILED', error: 'DataQualityEvaluationFailed' });
    expect(r.cause).toContain(`ended with status ${status}`);
  });

  test('a SUCCEEDED run without ResultIds fails as DataQualityEvaluationFailed, not States.Runtime', async () => {
    const r = await run({ GetDataQualityRun: sequence(dqRun('SUCCEEDED')) });
    expect(r).toMatchObject({ status: 'FAILED', error: 'DataQualityEvaluationFailed' });
  });

  test('GetDataQualityResult retries Glue.InternalServiceException', async () => {
    const r = await run({ GetDataQualityResult: sequence(taskError('Glue.InternalServiceException'), dqResult(1)) });
    expect(r.status).toBe('SUCCEEDED');
  });

  test('a failing rule fails the execution as DataQualityFailed', async () => {
    const r = await run({ GetDataQualityResult: sequence(dqResult(0.5)) });
    expect(r).toMatchObject({ status: 'FAILED', error: 'DataQualityFailed' });
  });
});

describe('batch workflow executions (Iceberg target)', () => {
  const iceberg = definitionFor('iceberg');

  test('no crawler: the job commits its snapshot, then the whole table is gated', async () => {
    const m = mocks();
    delete m.StartCrawler;
    delete m.GetCrawler;
    const r = await execute(iceberg, {}, m);
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path.slice(0, 2)).toEqual(['RunJob', 'StartDataQuality']);
    expect(r.calls.StartDataQuality[0].DataSource).toEqual({ GlueTable: { DatabaseName: 'mlops_prod_lake_curated', TableName: 'samples' } });
    expect(Object.keys(iceberg.States)).not.toContain('StartCrawler');
  });
});

describe('batch workflow retriers name only errors Step Functions reports', () => {
  const retried = (state: string) => (def.States[state].Retry as Array<{ ErrorEquals: string[] }>).flatMap((r) => r.ErrorEquals);

  test('SDK integration tasks retry Glue API error names, never the optimized integration\'s Glue.AWSGlueException or StartJobRun\'s ConcurrentRunsExceededException', () => {
    for (const state of ['StartCrawler', 'GetCrawler', 'StartDataQuality', 'GetDataQualityRun', 'GetDataQualityResult']) {
      expect([state, retried(state)]).toEqual([state, expect.arrayContaining(['Glue.ThrottlingException', 'Glue.InternalServiceException', 'Glue.OperationTimeoutException'])]);
      expect(retried(state)).not.toContain('Glue.AWSGlueException');
      expect(retried(state)).not.toContain('Glue.ConcurrentRunsExceededException');
    }
    expect(retried('StartCrawler')).toContain('Glue.CrawlerRunningException');
  });

  test('RunJob retries the optimized integration\'s names and never States.TaskFailed', () => {
    expect(retried('RunJob').sort()).toEqual(['Glue.AWSGlueException', 'Glue.ConcurrentRunsExceededException', 'Glue.InternalServiceException', 'Glue.OperationTimeoutException']);
  });
});
