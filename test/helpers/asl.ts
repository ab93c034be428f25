/* eslint-disable @typescript-eslint/no-explicit-any -- mocks and outputs are arbitrary JSON shaped by the APIs. */
/**
 * Executes Amazon States Language definitions locally (aws-local-stepfunctions) with mocked task
 * results, so that tests follow every path a real execution takes: JSONPath selections that point
 * to nothing end the execution with `States.Runtime` (which no Catch catches, as in Step Functions),
 * retriers and catchers match error names, Choice rules see the real shapes.
 *
 * Mocks return the response of the AWS API the task calls, shaped as its API reference documents
 * it; the tests that use them name the reference next to each shape.
 */

// aws-local-stepfunctions 3 targets Node 22 and uses Promise.withResolvers; Node 20 lacks it.
const promiseCtor = Promise as unknown as { withResolvers?: () => unknown };
if (!promiseCtor.withResolvers) {
  promiseCtor.withResolvers = function withResolvers<T>() {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((a, b) => { resolve = a; reject = b; });
    return { promise, resolve, reject };
  };
}
// Loaded after the polyfill.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { StateMachine } = require('aws-local-stepfunctions') as typeof import('aws-local-stepfunctions');

/** A mocked task: receives the task's effective parameters and the 0-based call count of this state. */
export type TaskMock = (parameters: any, call: number) => unknown;

/** What an execution did. */
export interface ExecutionRecord {
  readonly status: 'SUCCEEDED' | 'FAILED';
  /** Output of a successful execution. */
  readonly output?: any;
  /** Error name of a failed execution (`States.Runtime` for a path that points to nothing). */
  readonly error?: string;
  /** Cause of a failed execution. */
  readonly cause?: string;
  /** Names of the states entered, in order (a state entered again appears again). */
  readonly path: string[];
  /** Effective parameters each task state was called with, by state name, in call order. */
  readonly calls: Record<string, any[]>;
}

/** An error as a Step Functions task reports it: `name` is the error name retriers and catchers match. */
export function taskError(name: string, cause = `${name} (mocked)`): Error {
  const e = new Error(cause);
  e.name = name;
  return e;
}

/** A mock that returns (or throws) the given results in turn, repeating the last one. */
export function sequence(...results: Array<unknown | Error>): TaskMock {
  return (_p, call) => {
    const r = results[Math.min(call, results.length - 1)];
    if (r instanceof Error) throw r;
    return r;
  };
}

type Definition = { StartAt: string; States: Record<string, Record<string, unknown>> };

/**
 * Runs `definition` on `input`. Every Task state needs a mock (a missing one fails the execution
 * with `MissingMock`); Wait states and retry intervals take no time.
 */
export async function execute(definition: Definition, input: unknown, mocks: Record<string, TaskMock>,
  context: Record<string, unknown> = {}): Promise<ExecutionRecord> {
  const calls: Record<string, any[]> = {};
  const handlers: Record<string, (p: any) => Promise<any>> = {};
  const waits: Record<string, number> = {};
  const retries: Record<string, number> = {};
  for (const [name, state] of Object.entries(definition.States)) {
    if (state.Type === 'Wait') waits[name] = 0;
    if (state.Retry) retries[name] = 0;
    if (state.Type !== 'Task') continue;
    handlers[name] = async (p: unknown) => {
      const list = (calls[name] ??= []);
      list.push(p);
      const mock = mocks[name];
      if (!mock) throw taskError('MissingMock', `no mock for task state "${name}"`);
      return mock(p, list.length - 1);
    };
  }
  for (const name of Object.keys(mocks)) {
    if (!(name in definition.States)) throw new Error(`mock for unknown state "${name}"; states: ${Object.keys(definition.States).join(', ')}`);
  }
  const machine = new StateMachine(definition as never, { validationOptions: { checkPaths: true, checkArn: false } });
  const run = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: handlers, waitTimeOverrides: waits, retryIntervalOverrides: retries },
    context: {
      Execution: { Id: 'arn:aws:states:us-east-1:111111111111:execution:machine:run-1', Name: 'run-1', Input: input, StartTime: '2026-12-04T02:00:00.000Z' },
      StateMachine: { Id: 'arn:aws:states:us-east-1:111111111111:stateMachine:machine', Name: 'machine' },
      ...context,
    } as never,
  });
  const path: string[] = [];
  let error: string | undefined;
  let cause: string | undefined;
  let output: unknown;
  let status: ExecutionRecord['status'] = 'SUCCEEDED';
  try {
    output = await run.result;
  } catch {
    status = 'FAILED';
  }
  for await (const event of run.eventLogs) {
    const e = event as { type: string; state?: { name: string }; Error?: string; Cause?: string };
    if (e.type === 'StateEntered' && e.state) path.push(e.state.name);
    if (e.type === 'ExecutionFailed') { error = e.Error; cause = e.Cause; }
  }
  return { status, output, error, cause, path, calls };
}
