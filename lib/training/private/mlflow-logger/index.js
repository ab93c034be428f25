'use strict';
/**
 * Logs a retraining run to a SageMaker managed MLflow tracking server through the MLflow REST API.
 * Plain JavaScript for the Lambda Node.js runtime: no dependency beyond node:crypto and the
 * runtime's global fetch; requests are signed with AWS Signature Version 4 by the code below.
 *
 * How the managed server is addressed and signed (facts from the aws/sagemaker-mlflow plugin,
 * sagemaker_mlflow/mlflow_sagemaker_helpers.py, auth.py, mlflow_sagemaker_request_header_provider.py):
 * - endpoint `https://<region of the tracking server ARN>.experiments.sagemaker.aws` (DNS suffix
 *   `aws` for the `aws` and `aws-us-gov` partitions, no other partition supported);
 * - SigV4 with the signing service name `sagemaker-mlflow`, an `X-Amz-Content-SHA256` header with
 *   the body's SHA-256, and the header `x-mlflow-sm-tracking-server-arn: <tracking server ARN>`
 *   that routes the request to the server.
 *
 * MLflow REST API 2.0 (https://mlflow.org/docs/latest/rest-api.html), under `/api/2.0/mlflow/`:
 * experiments/get-by-name (GET, experiment_name), experiments/create (POST, name; fails with
 * RESOURCE_ALREADY_EXISTS), runs/search (POST, experiment_ids, filter), runs/create (POST, experiment_id, run_name, start_time, tags; returns
 * run.info.run_id and run.info.artifact_uri), runs/log-batch (POST, run_id, metrics, params, tags),
 * runs/set-tag (POST, run_id, key, value), runs/update (POST, run_id, status, end_time). Errors
 * come back as `{ error_code, message }` with a non-200 status.
 *
 * Events (from the retraining workflow):
 * - `{ action: 'start', experimentName, runName, params, evaluation, tags }` -> the run's ids and
 *   artifact location (`artifactBucket`, `artifactKeyPrefix` ending in '/');
 * - `{ action: 'finish', runId, status, tags }` with status FINISHED, FAILED or KILLED.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- the Lambda runtime loads this file as CommonJS, shipped as it is (no build step)
const crypto = require('node:crypto');

/**
 * runs/log-batch request limits (https://mlflow.org/docs/latest/rest-api.html#log-batch, "Request
 * Limits"): at most 1000 metrics, params and tags in total, up to 1000 metrics, 100 params and 100
 * tags. Sizes every storage backend is guaranteed to accept (same page, create-experiment tags):
 * keys up to 250 bytes, tag values up to 5000 bytes; param values are kept to 500 characters, the
 * size older servers guaranteed (the full values are in the run's lineage document).
 */
const LIMITS = Object.freeze({ total: 1000, metrics: 1000, params: 100, tags: 100, keyLength: 250, paramValueLength: 500, tagValueLength: 5000 });

const API = '/api/2.0/mlflow/';
const SERVICE = 'sagemaker-mlflow';
const STATUSES = new Set(['FINISHED', 'FAILED', 'KILLED']);

// --- Signature Version 4 -------------------------------------------------------------------------
// https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html: canonical request ->
// string to sign (AWS4-HMAC-SHA256, amz date, scope, hash of the canonical request) -> signing key
// (HMAC chain of date, region, service, "aws4_request") -> hex HMAC signature.

const sha256Hex = (data) => crypto.createHash('sha256').update(data ?? '', 'utf8').digest('hex');
const hmac = (key, data) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();

/** URI-encodes every byte except the unreserved characters A-Z a-z 0-9 - _ . ~ (RFC 3986). */
function uriEncode(value) {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Signs a request; returns the headers to send (the given ones plus `authorization`).
 * `headers` must hold `host` and `x-amz-date` (YYYYMMDD'T'HHMMSS'Z'); every header given is signed.
 * The path is encoded once per segment: the paths used here hold only unreserved characters, for
 * which single and double encoding agree.
 */
function signRequest({ method, path, query = {}, headers, body = '', region, service, credentials }) {
  const lower = {};
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = String(v).trim().replace(/\s+/g, ' ');
  const amzDate = lower['x-amz-date'];
  if (!lower.host || !/^\d{8}T\d{6}Z$/.test(amzDate ?? '')) throw new Error('signRequest needs the host and x-amz-date headers');
  const names = Object.keys(lower).sort();
  const canonicalQuery = Object.keys(query).map((k) => [uriEncode(k), uriEncode(String(query[k]))])
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : (a < b ? -1 : 1)))
    .map(([k, v]) => `${k}=${v}`).join('&');
  const canonicalRequest = [
    method.toUpperCase(),
    path.split('/').map(uriEncode).join('/') || '/',
    canonicalQuery,
    names.map((n) => `${n}:${lower[n]}\n`).join(''),
    names.join(';'),
    sha256Hex(body),
  ].join('\n');
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = [day, region, service, 'aws4_request'].reduce((k, part) => hmac(k, part), `AWS4${credentials.secretAccessKey}`);
  const signature = crypto.createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

const amzDateOf = (date) => date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

// --- MLflow client -----------------------------------------------------------------------------

/** The managed server's endpoint host and region from its ARN (arn:<partition>:sagemaker:<region>:<account>:mlflow-tracking-server/<name>). */
function endpointOf(arn) {
  const parts = String(arn ?? '').split(':');
  if (parts.length < 6 || parts[2] !== 'sagemaker' || !parts[5].startsWith('mlflow-tracking-server/')) {
    throw new Error(`TRACKING_SERVER_ARN is not an MLflow tracking server ARN: ${arn}`);
  }
  if (parts[1] !== 'aws' && parts[1] !== 'aws-us-gov') throw new Error(`Partition ${parts[1]} has no SageMaker managed MLflow endpoint`);
  return { host: `${parts[3]}.experiments.sagemaker.aws`, region: parts[3] };
}

/** An MLflow error: `name` and `code` are the MLflow error_code (or HTTP_<status>). */
class MlflowError extends Error {
  constructor(endpoint, status, code, message) {
    super(`MLflow ${endpoint} failed (HTTP ${status}, ${code}): ${message}`);
    this.name = code;
    this.code = code;
    this.status = status;
  }
}

function client(env = process.env, now = () => new Date()) {
  const arn = env.TRACKING_SERVER_ARN;
  const { host, region } = endpointOf(arn);
  const credentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN };
  return async function call(method, endpoint, payload) {
    const path = `${API}${endpoint}`;
    const query = method === 'GET' ? payload : {};
    const body = method === 'GET' ? '' : JSON.stringify(payload);
    const headers = {
      'host': host,
      'x-amz-date': amzDateOf(now()),
      'x-amz-content-sha256': sha256Hex(body),
      'x-mlflow-sm-tracking-server-arn': arn,
      ...(method === 'GET' ? {} : { 'content-type': 'application/json' }),
      ...(credentials.sessionToken ? { 'x-amz-security-token': credentials.sessionToken } : {}),
    };
    const signed = signRequest({ method, path, query, headers, body, region, service: SERVICE, credentials });
    const qs = Object.keys(query).map((k) => `${uriEncode(k)}=${uriEncode(String(query[k]))}`).join('&');
    const response = await fetch(`https://${host}${path}${qs ? `?${qs}` : ''}`, {
      method, headers: signed, ...(method === 'GET' ? {} : { body }),
    });
    const text = await response.text();
    let json = {};
    try { json = text ? JSON.parse(text) : {}; } catch { json = {}; }
    if (!response.ok) throw new MlflowError(endpoint, response.status, json.error_code ?? `HTTP_${response.status}`, json.message ?? text.slice(0, 500));
    return json;
  };
}

// --- what is logged ----------------------------------------------------------------------------

/** `{ a: { b: 1 } }` -> `[['a.b', '1']]`; strings as they are, other leaves as JSON. */
function flatten(value, prefix = '', out = []) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const k of Object.keys(value).sort()) flatten(value[k], prefix ? `${prefix}.${k}` : k, out);
  } else if (value !== undefined && prefix) {
    out.push([prefix, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
  return out;
}

const clip = (s, n) => (s.length > n ? `${s.slice(0, n - 3)}...` : s);
const entries = (obj, valueLength) => flatten(obj ?? {}).map(([key, value]) => ({ key: clip(key, LIMITS.keyLength), value: clip(value, valueLength) }));

/** Numeric leaves of the evaluation report's `metrics` (nested names joined with '.'). */
function metricsOf(evaluation, timestamp) {
  const out = [];
  const walk = (v, name) => {
    if (typeof v === 'number' && Number.isFinite(v)) out.push({ key: clip(name, LIMITS.keyLength), value: v, timestamp, step: 0 });
    else if (v !== null && typeof v === 'object' && !Array.isArray(v)) for (const k of Object.keys(v).sort()) walk(v[k], name ? `${name}.${k}` : k);
  };
  walk(evaluation?.metrics, '');
  return out;
}

/** Splits metrics, params and tags into runs/log-batch bodies within the documented limits. */
function batches(runId, { metrics = [], params = [], tags = [] }) {
  const out = [];
  let m = 0, p = 0, t = 0;
  while (m < metrics.length || p < params.length || t < tags.length) {
    const ps = params.slice(p, p + LIMITS.params);
    const ts = tags.slice(t, t + LIMITS.tags);
    const ms = metrics.slice(m, m + Math.min(LIMITS.metrics, LIMITS.total - ps.length - ts.length));
    out.push({ run_id: runId, metrics: ms, params: ps, tags: ts });
    m += ms.length; p += ps.length; t += ts.length;
  }
  return out;
}

/** s3://bucket/key/prefix -> { bucket, keyPrefix: 'key/prefix/' }. */
function parseS3(uri) {
  const match = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri ?? '');
  if (!match) throw new Error(`The run's artifact_uri is not an S3 URI: ${uri}`);
  const key = match[2];
  return { bucket: match[1], keyPrefix: key === '' || key.endsWith('/') ? key : `${key}/` };
}

async function experimentId(call, name) {
  try {
    return (await call('GET', 'experiments/get-by-name', { experiment_name: name })).experiment.experiment_id;
  } catch (e) {
    if (e.code !== 'RESOURCE_DOES_NOT_EXIST') throw e;
  }
  try {
    return (await call('POST', 'experiments/create', { name })).experiment_id;
  } catch (e) {
    // Created meanwhile by a concurrent run.
    if (e.code !== 'RESOURCE_ALREADY_EXISTS') throw e;
    return (await call('GET', 'experiments/get-by-name', { experiment_name: name })).experiment.experiment_id;
  }
}

/**
 * The run an earlier attempt of this start already created, found by its name: Step Functions
 * retries the invocation on Lambda service errors, which may follow a start that did run.
 * runs/search (MLflow REST API): experiment_ids, filter, max_results; returns runs[] with info and
 * data (params, metrics, tags). Search syntax: an entity name with a period is quoted, string
 * constants are in single quotes (https://mlflow.org/docs/2.0.1/search-runs.html).
 */
async function earlierRun(call, experimentId, runName) {
  if (!/^[A-Za-z0-9_.:-]+$/.test(runName)) throw new Error(`runName must be letters, digits and _.:- (it is quoted in a search filter), got ${runName}`);
  const found = await call('POST', 'runs/search', { experiment_ids: [experimentId], filter: `tags."mlflow.runName" = '${runName}'`, max_results: 1 });
  return found.runs?.[0];
}

async function start(call, event, now) {
  if (!event.experimentName || !event.runName) throw new Error('start needs experimentName and runName');
  const expId = await experimentId(call, event.experimentName);
  const startTime = now().getTime();
  const earlier = await earlierRun(call, expId, String(event.runName));
  const run = earlier ?? (await call('POST', 'runs/create', {
    experiment_id: expId,
    run_name: event.runName,
    start_time: startTime,
    tags: [{ key: 'mlflow.runName', value: clip(String(event.runName), LIMITS.tagValueLength) }],
  })).run;
  const info = run.info;
  // A reused run keeps what the earlier attempt logged: params cannot be changed, and a metric
  // logged again would be a second point of its history.
  const logged = (kind) => new Set((run.data?.[kind] ?? []).map((e) => e.key));
  const [params, metrics] = [logged('params'), logged('metrics')];
  for (const body of batches(info.run_id, {
    metrics: metricsOf(event.evaluation, startTime).filter((m) => !metrics.has(m.key)),
    params: entries(event.params, LIMITS.paramValueLength).filter((p) => !params.has(p.key)),
    tags: entries(event.tags, LIMITS.tagValueLength),
  })) await call('POST', 'runs/log-batch', body);
  const { bucket, keyPrefix } = parseS3(info.artifact_uri);
  return { runId: info.run_id, experimentId: expId, artifactUri: info.artifact_uri, artifactBucket: bucket, artifactKeyPrefix: keyPrefix };
}

async function finish(call, event, now) {
  if (!event.runId) throw new Error('finish needs runId');
  const status = event.status ?? 'FINISHED';
  if (!STATUSES.has(status)) throw new Error(`finish status must be one of ${[...STATUSES].join(', ')}, got ${status}`);
  for (const { key, value } of entries(event.tags, LIMITS.tagValueLength)) {
    await call('POST', 'runs/set-tag', { run_id: event.runId, key, value });
  }
  await call('POST', 'runs/update', { run_id: event.runId, status, end_time: now().getTime() });
  return { runId: event.runId, status };
}

async function handler(event, _context, env = process.env, now = () => new Date()) {
  const call = client(env, now);
  if (event?.action === 'start') return start(call, event, now);
  if (event?.action === 'finish') return finish(call, event, now);
  throw new Error(`Unknown action ${event?.action}; expected start or finish`);
}

module.exports = { handler, signRequest, batches, endpointOf, flatten, parseS3, LIMITS, MlflowError };
