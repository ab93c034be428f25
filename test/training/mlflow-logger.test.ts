/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-require-imports -- the handler is plain JavaScript. */
import * as crypto from 'crypto';
import { SignatureV4 } from '@smithy/signature-v4';

/**
 * The MLflow logger Lambda handler (lib/training/private/mlflow-logger/index.js) against a mocked
 * global fetch, and its SigV4 signer against AWS's documented example.
 */
const logger = require('../../lib/training/private/mlflow-logger/index.js');

const ARN = 'arn:aws:sagemaker:eu-west-1:123456789012:mlflow-tracking-server/mlops-prod-registry-mlflow';
const ENV = { TRACKING_SERVER_ARN: ARN, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' };
const NOW = () => new Date('2026-12-04T02:00:00.000Z');

interface Call { method: string; url: URL; headers: Record<string, string>; body: any }

/** Mocks fetch: `routes` answers by endpoint (after /api/2.0/mlflow/), with a status and a JSON body. */
function mockFetch(routes: Record<string, (body: any, n: number) => [number, unknown]>): Call[] {
  const calls: Call[] = [];
  const counts: Record<string, number> = {};
  jest.spyOn(global, 'fetch').mockImplementation(async (input: any, init: any) => {
    const url = new URL(String(input));
    const endpoint = url.pathname.replace('/api/2.0/mlflow/', '');
    const body = init.body ? JSON.parse(init.body) : undefined;
    calls.push({ method: init.method, url, headers: init.headers, body });
    const route = routes[endpoint];
    const [status, json] = route ? route(body ?? Object.fromEntries(url.searchParams), (counts[endpoint] = (counts[endpoint] ?? -1) + 1)) : [404, { error_code: 'ENDPOINT_NOT_FOUND', message: endpoint }];
    return new Response(JSON.stringify(json), { status, headers: { 'content-type': 'application/json' } });
  });
  return calls;
}

// MLflow REST API (https://mlflow.org/docs/latest/rest-api.html): runs/create returns run.info with
// run_id and artifact_uri; get-by-name returns experiment.experiment_id; errors { error_code, message }.
const created = { run: { info: { run_id: 'r-123', experiment_id: '7', artifact_uri: 's3://registry-bucket/mlflow/7/r-123/artifacts', status: 'RUNNING' }, data: {} } };
const ok = (json: unknown = {}) => (): [number, unknown] => [200, json];
const missing = (): [number, unknown] => [404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Could not find experiment' }];

afterEach(() => jest.restoreAllMocks());

describe('SigV4 (own implementation)', () => {
  test('reproduces the AWS documented example: S3 API reference, "Signature Calculations for the Authorization Header: Transferring Payload in a Single Chunk", Example: GET Object', () => {
    // https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html (GET /test.txt, Range: bytes=0-9).
    const headers = logger.signRequest({
      method: 'GET', path: '/test.txt', body: '', region: 'us-east-1', service: 's3',
      headers: { 'Host': 'examplebucket.s3.amazonaws.com', 'Range': 'bytes=0-9', 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'x-amz-date': '20130524T000000Z' },
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    });
    expect(headers.authorization).toBe('AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, '
      + 'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  });

  test('agrees with @smithy/signature-v4 on a signed MLflow POST and a GET with a query', async () => {
    class Sha256 {
      private readonly h: crypto.Hash | crypto.Hmac;
      constructor(secret?: any) { this.h = secret ? crypto.createHmac('sha256', Buffer.from(secret)) : crypto.createHash('sha256'); }
      update(data: any) { this.h.update(typeof data === 'string' ? data : Buffer.from(data)); }
      async digest() { return new Uint8Array(this.h.digest()); }
    }
    const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session' };
    const smithy = new SignatureV4({ service: 'sagemaker-mlflow', region: 'eu-west-1', credentials, sha256: Sha256 as any, applyChecksum: false });
    for (const [method, path, query, body] of [
      ['POST', '/api/2.0/mlflow/runs/create', {}, JSON.stringify({ experiment_id: '7', run_name: 'a b' })],
      ['GET', '/api/2.0/mlflow/experiments/get-by-name', { experiment_name: 'mlops prod/churn*' }, ''],
    ] as const) {
      const headers: Record<string, string> = { 'host': 'eu-west-1.experiments.sagemaker.aws', 'x-amz-date': '20261204T020000Z', 'x-mlflow-sm-tracking-server-arn': ARN, 'x-amz-security-token': 'session' };
      const ours = logger.signRequest({ method, path, query, headers, body, region: 'eu-west-1', service: 'sagemaker-mlflow', credentials });
      const theirs: any = await smithy.sign({ method, protocol: 'https:', hostname: headers.host, path, query: { ...query }, headers: { ...headers }, body } as any,
        { signingDate: new Date('2026-12-04T02:00:00Z') });
      expect(ours.authorization).toBe(theirs.headers.authorization);
    }
  });
});

describe('start: experiment, run, params, metrics, tags', () => {
  test('creates the experiment when missing, the run named by the run id, and logs everything; signs each request for sagemaker-mlflow', async () => {
    const calls = mockFetch({
      'experiments/get-by-name': missing,
      'experiments/create': ok({ experiment_id: '7' }),
      'runs/search': ok({}),
      'runs/create': ok(created),
      'runs/log-batch': ok(),
    });
    const out = await logger.handler({
      action: 'start', experimentName: 'mlops-prod-churn', runName: 'run-uuid',
      evaluation: { metrics: { auc: 0.91, accuracy: 0.88, note: 'x', per_class: { a: 0.5 } } },
      params: { 'instance-types': 'train=ml.m5.xlarge', 'hyperparameters': { eta: '0.2', max_depth: '5' }, 'data': { snapshot: 'none' } },
      tags: { execution: 'arn:exec', lineage: 's3://b/models/churn/runs/run-uuid/lineage.json' },
    }, {}, ENV, NOW);
    expect(out).toEqual({ runId: 'r-123', experimentId: '7', artifactUri: created.run.info.artifact_uri, artifactBucket: 'registry-bucket', artifactKeyPrefix: 'mlflow/7/r-123/artifacts/' });
    expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual([
      'GET /api/2.0/mlflow/experiments/get-by-name', 'POST /api/2.0/mlflow/experiments/create', 'POST /api/2.0/mlflow/runs/search', 'POST /api/2.0/mlflow/runs/create', 'POST /api/2.0/mlflow/runs/log-batch',
    ]);
    expect(calls[0].url.host).toBe('eu-west-1.experiments.sagemaker.aws');
    expect(calls[0].url.searchParams.get('experiment_name')).toBe('mlops-prod-churn');
    expect(calls[1].body).toEqual({ name: 'mlops-prod-churn' });
    expect(calls[2].body).toEqual({ experiment_ids: ['7'], filter: 'tags."mlflow.runName" = \'run-uuid\'', max_results: 1 });
    expect(calls[3].body).toEqual({ experiment_id: '7', run_name: 'run-uuid', start_time: NOW().getTime(), tags: [{ key: 'mlflow.runName', value: 'run-uuid' }] });
    expect(calls[4].body).toEqual({
      run_id: 'r-123',
      metrics: [
        { key: 'accuracy', value: 0.88, timestamp: NOW().getTime(), step: 0 },
        { key: 'auc', value: 0.91, timestamp: NOW().getTime(), step: 0 },
        { key: 'per_class.a', value: 0.5, timestamp: NOW().getTime(), step: 0 },
      ],
      params: [
        { key: 'data.snapshot', value: 'none' }, { key: 'hyperparameters.eta', value: '0.2' },
        { key: 'hyperparameters.max_depth', value: '5' }, { key: 'instance-types', value: 'train=ml.m5.xlarge' },
      ],
      tags: [{ key: 'execution', value: 'arn:exec' }, { key: 'lineage', value: 's3://b/models/churn/runs/run-uuid/lineage.json' }],
    });
    for (const c of calls) {
      expect(c.headers['x-mlflow-sm-tracking-server-arn']).toBe(ARN);
      expect(c.headers['x-amz-security-token']).toBe('token');
      expect(c.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261204\/eu-west-1\/sagemaker-mlflow\/aws4_request, SignedHeaders=[a-z0-9;-]*x-mlflow-sm-tracking-server-arn[a-z0-9;-]*, Signature=[0-9a-f]{64}$/);
      expect(c.headers['x-amz-content-sha256']).toBe(crypto.createHash('sha256').update(c.body ? JSON.stringify(c.body) : '').digest('hex'));
    }
  });

  test('an existing experiment is reused, not created', async () => {
    const calls = mockFetch({ 'experiments/get-by-name': ok({ experiment: { experiment_id: '3', name: 'g' } }), 'runs/search': ok({ runs: [] }), 'runs/create': ok(created), 'runs/log-batch': ok() });
    await logger.handler({ action: 'start', experimentName: 'g', runName: 'r', params: { a: '1' } }, {}, ENV, NOW);
    expect(calls.map((c) => c.url.pathname.split('/').slice(-2).join('/'))).toEqual(['experiments/get-by-name', 'runs/search', 'runs/create', 'runs/log-batch']);
    expect(calls[2].body.experiment_id).toBe('3');
  });

  test('a retried start reuses the run an earlier attempt created and logs only what is missing (no second run, no changed param, no repeated metric)', async () => {
    const earlier = { info: { ...created.run.info, run_id: 'r-earlier', artifact_uri: 's3://registry-bucket/mlflow/3/r-earlier/artifacts' },
      data: { params: [{ key: 'a', value: '1' }], metrics: [{ key: 'auc', value: 0.91, timestamp: 1, step: 0 }], tags: [] } };
    const calls = mockFetch({ 'experiments/get-by-name': ok({ experiment: { experiment_id: '3' } }), 'runs/search': ok({ runs: [earlier] }), 'runs/log-batch': ok() });
    const out = await logger.handler({
      action: 'start', experimentName: 'g', runName: 'run-uuid', params: { a: '1', b: '2' }, evaluation: { metrics: { auc: 0.91, accuracy: 0.8 } }, tags: { execution: 'arn:exec' },
    }, {}, ENV, NOW);
    expect(calls.map((c) => c.url.pathname.split('/').slice(-2).join('/'))).toEqual(['experiments/get-by-name', 'runs/search', 'runs/log-batch']);
    expect(out).toMatchObject({ runId: 'r-earlier', artifactKeyPrefix: 'mlflow/3/r-earlier/artifacts/' });
    expect(calls[2].body).toEqual({
      run_id: 'r-earlier', params: [{ key: 'b', value: '2' }], tags: [{ key: 'execution', value: 'arn:exec' }],
      metrics: [{ key: 'accuracy', value: 0.8, timestamp: NOW().getTime(), step: 0 }],
    });
  });

  test('a run name that cannot be quoted in a search filter is refused before a run is searched or created', async () => {
    const calls = mockFetch({ 'experiments/get-by-name': ok({ experiment: { experiment_id: '3' } }) });
    await expect(logger.handler({ action: 'start', experimentName: 'g', runName: "x' OR '1" }, {}, ENV, NOW)).rejects.toThrow(/runName must be/);
    expect(calls.map((c) => c.url.pathname.split('/').pop())).toEqual(['get-by-name']);
  });

  test('log-batch requests respect the documented limits: 100 params, 100 tags, 1000 entities in total; long values are clipped', async () => {
    const calls = mockFetch({ 'experiments/get-by-name': ok({ experiment: { experiment_id: '3' } }), 'runs/search': ok({}), 'runs/create': ok(created), 'runs/log-batch': ok() });
    const many = (n: number, v = 'v') => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${String(i).padStart(4, '0')}`, v]));
    const metrics = Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`m${String(i).padStart(4, '0')}`, i]));
    await logger.handler({ action: 'start', experimentName: 'g', runName: 'r', params: many(250, 'x'.repeat(700)), tags: many(150), evaluation: { metrics } }, {}, ENV, NOW);
    const batches = calls.filter((c) => c.url.pathname.endsWith('runs/log-batch')).map((c) => c.body);
    for (const b of batches) {
      expect(b.params.length).toBeLessThanOrEqual(logger.LIMITS.params);
      expect(b.tags.length).toBeLessThanOrEqual(logger.LIMITS.tags);
      expect(b.metrics.length).toBeLessThanOrEqual(1000);
      expect(b.params.length + b.tags.length + b.metrics.length).toBeLessThanOrEqual(1000);
    }
    expect(batches.flatMap((b) => b.params)).toHaveLength(250);
    expect(batches.flatMap((b) => b.tags)).toHaveLength(150);
    expect(batches.flatMap((b) => b.metrics)).toHaveLength(1500);
    expect(batches[0].params[0].value).toHaveLength(500);
    expect(batches[0].params[0].value.endsWith('...')).toBe(true);
    expect(batches.length).toBe(3);
  });

  test('an MLflow error is thrown with its error code (the Lambda error name Step Functions sees)', async () => {
    mockFetch({ 'experiments/get-by-name': ok({ experiment: { experiment_id: '3' } }), 'runs/search': ok({}), 'runs/create': () => [403, { error_code: 'PERMISSION_DENIED', message: 'not allowed' }] });
    const run = logger.handler({ action: 'start', experimentName: 'g', runName: 'r' }, {}, ENV, NOW);
    await expect(run).rejects.toMatchObject({ name: 'PERMISSION_DENIED', code: 'PERMISSION_DENIED', status: 403 });
    await expect(logger.handler({ action: 'start', experimentName: 'g', runName: 'r' }, {}, ENV, NOW)).rejects.toThrow(/runs\/create failed \(HTTP 403, PERMISSION_DENIED\): not allowed/);
  });

  test('fails clearly on an ARN that is not a tracking server or an unsupported partition', async () => {
    await expect(logger.handler({ action: 'start' }, {}, { ...ENV, TRACKING_SERVER_ARN: 'arn:aws:s3:::bucket' }, NOW)).rejects.toThrow(/not an MLflow tracking server ARN/);
    await expect(logger.handler({ action: 'start' }, {}, { ...ENV, TRACKING_SERVER_ARN: ARN.replace('arn:aws:', 'arn:aws-cn:') }, NOW)).rejects.toThrow(/aws-cn has no SageMaker managed MLflow endpoint/);
  });
});

describe('finish: tags, status', () => {
  test('sets each tag with runs/set-tag, then runs/update with the status and end time', async () => {
    const calls = mockFetch({ 'runs/set-tag': ok(), 'runs/update': ok({ run_info: { status: 'FINISHED' } }) });
    await logger.handler({ action: 'finish', runId: 'r-123', status: 'FINISHED', tags: { 'model-package-arn': 'arn:pkg/g/3', 'model-package-version': '3' } }, {}, ENV, NOW);
    expect(calls.map((c) => [c.url.pathname.split('/').slice(-2).join('/'), c.body])).toEqual([
      ['runs/set-tag', { run_id: 'r-123', key: 'model-package-arn', value: 'arn:pkg/g/3' }],
      ['runs/set-tag', { run_id: 'r-123', key: 'model-package-version', value: '3' }],
      ['runs/update', { run_id: 'r-123', status: 'FINISHED', end_time: NOW().getTime() }],
    ]);
  });

  test('refuses a status MLflow does not end a run with, and an unknown action', async () => {
    mockFetch({});
    await expect(logger.handler({ action: 'finish', runId: 'r', status: 'RUNNING' }, {}, ENV, NOW)).rejects.toThrow(/FINISHED, FAILED, KILLED, got RUNNING/);
    await expect(logger.handler({ action: 'log' }, {}, ENV, NOW)).rejects.toThrow(/Unknown action log/);
  });
});
