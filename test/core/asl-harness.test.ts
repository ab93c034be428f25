import { execute, sequence, taskError } from '../helpers/asl';

// The harness must behave as Step Functions does where the workflow tests rely on it.
const definition = {
  StartAt: 'Get',
  States: {
    Get: {
      Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:glue:getCrawler',
      Parameters: { 'Name.$': '$.name' },
      ResultSelector: { 'State.$': '$.Crawler.State', 'LastCrawl.$': '$.Crawler.LastCrawl' },
      ResultPath: '$.crawler',
      Retry: [{ ErrorEquals: ['Glue.ThrottlingException'], MaxAttempts: 2, IntervalSeconds: 30 }],
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Failed', ResultPath: '$.error' }],
      Next: 'Wait',
    },
    Wait: { Type: 'Wait', Seconds: 3600, Next: 'Done' },
    Done: { Type: 'Succeed' },
    Failed: { Type: 'Fail', Error: 'Caught', CausePath: '$.error.Cause' },
  },
};

describe('local ASL execution harness', () => {
  test('a selected path that points to nothing fails with States.Runtime, which Catch does not catch', async () => {
    const run = await execute(definition, { name: 'c' }, { Get: sequence({ Crawler: { State: 'READY' } }) });
    expect(run).toMatchObject({ status: 'FAILED', error: 'States.Runtime' });
    expect(run.cause).toMatch(/LastCrawl/);
    expect(run.path).toEqual(['Get']);
  });

  test('retriers match error names, waits take no time, parameters reach the mock', async () => {
    const started = Date.now();
    const run = await execute(definition, { name: 'c' }, {
      Get: sequence(taskError('Glue.ThrottlingException'), { Crawler: { State: 'READY', LastCrawl: { Status: 'SUCCEEDED' } } }),
    });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.calls.Get).toEqual([{ Name: 'c' }, { Name: 'c' }]);
    expect(run.path).toEqual(['Get', 'Wait', 'Done']);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('an error no retrier names goes to the catcher with its cause', async () => {
    const run = await execute(definition, { name: 'c' }, { Get: sequence(taskError('Glue.EntityNotFoundException', 'no such crawler')) });
    expect(run).toMatchObject({ status: 'FAILED', error: 'Caught', cause: 'no such crawler' });
    expect(run.calls.Get).toHaveLength(1);
  });
});
