/* eslint-disable @typescript-eslint/no-explicit-any -- the job's report and the recorded calls are arbitrary JSON. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MODEL_STATS_SCRIPT } from '../../lib/core/python-assets';
import { DRIFT_METRIC_SPEC } from '../../lib/monitoring/drift-metrics';
import { normal, pythonReady, random, runScript } from './helpers-python';

/**
 * lib/core/python/drift_job.py end to end with Debian's python3 and fake AWS clients
 * (test/python/drift_job_harness.py): an in-memory S3 holding the served version's baseline, capture
 * files of two variants across the window's two hours (and files outside it), ground truth; fake SSM,
 * SageMaker and CloudWatch. `--metric_spec` is DRIFT_METRIC_SPEC serialized from the TypeScript, so a
 * metric renamed there changes what the job publishes and what this test expects alike, and the
 * expected PutMetricData calls are spelled out with the spec's literal names.
 */
const ready = pythonReady('the drift job tests');
const describeIfPython = ready ? describe : describe.skip;
const HARNESS = path.join(__dirname, 'drift_job_harness.py');

const FEATURES = ['tenure', 'monthly_charges', 'plan'];
const ENDPOINT = 'mlops-prod-churn';
const PARAMETER = '/mlops/prod/churn/approved-model-package';
const PACKAGE = 'arn:aws:sagemaker:us-east-1:123456789012:model-package/mlops-prod-churn/3';
const BASELINE_URI = 's3://artifacts/models/churn/runs/r-1/baseline/baseline.json';
const CAPTURE = `s3://lake-raw/data-capture/${ENDPOINT}/`;
const REPORTS = `s3://lake-analytics/model-monitoring/${ENDPOINT}/`;
const TRUTH = `s3://lake-raw/ground-truth/${ENDPOINT}/`;
// The job starts at 10:20 UTC; a two-hour window is 08:00-10:00 (the hour in progress is left to the next run).
const NOW = '2026-12-04T10:20:00+00:00';

const args = (over: Record<string, string> = {}) => Object.entries({
  '--JOB_NAME': 'drift-mlops-prod-churn', // Glue's own argument: ignored
  '--endpoint_name': ENDPOINT,
  '--variant_names': 'A,B',
  '--capture_uri': CAPTURE,
  '--served_version_parameter': PARAMETER,
  '--placeholder': 'none',
  '--report_uri': REPORTS,
  '--window_hours': '2',
  '--min_records': '100',
  '--metric_spec': JSON.stringify(DRIFT_METRIC_SPEC),
  '--ground_truth_uri': TRUTH,
  '--problem_type': 'binary_classification',
  '--quality_metric': 'auc',
  ...over,
}).flat();

// DescribeModelPackage response (SageMaker API reference), trimmed to what matters plus a few fields.
const described = (withBaseline: boolean) => ({
  ModelPackageGroupName: 'mlops-prod-churn',
  ModelPackageVersion: 3,
  ModelPackageArn: PACKAGE,
  ModelPackageStatus: 'Completed',
  ModelApprovalStatus: 'Approved',
  CreationTime: '2026-12-01T00:00:00Z',
  InferenceSpecification: { Containers: [{ Image: 'image', ModelDataUrl: 's3://artifacts/model.tar.gz' }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['text/csv'] },
  ...(withBaseline ? { DriftCheckBaselines: { ModelDataQuality: { Statistics: { ContentType: 'application/json', S3Uri: BASELINE_URI } } } } : {}),
});

interface Sample { id: string; row: string; score: number; label: number }

/** One capture file: `n` CSV requests (every 10th with two rows), charges shifted by `shift`. */
function captureFile(seed: number, n: number, shift: number, samples: Sample[]): string {
  const rnd = random(seed);
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const rows = i % 10 === 0 ? 2 : 1;
    const data: string[] = [];
    const scores: string[] = [];
    const id = `inf-${seed}-${i}`;
    for (let r = 0; r < rows; r++) {
      const tenure = Math.floor(rnd() * 72);
      const charges = (70 + 15 * normal(rnd) + shift).toFixed(2);
      const plan = rnd() < 0.5 ? '1' : rnd() < 0.6 ? '2' : '3';
      data.push(`${tenure},${charges},${plan}`);
      const score = Math.round(rnd() * 100) / 100;
      scores.push(String(score));
      samples.push({ id, row: String(r), score, label: score + (rnd() - 0.5) * 0.6 > 0.5 ? 1 : 0 });
    }
    // Record format: SageMaker developer guide, "Capture data from real-time endpoint".
    lines.push(JSON.stringify({
      captureData: {
        endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: data.join('\n'), encoding: 'CSV' },
        endpointOutput: { observedContentType: 'text/csv; charset=utf-8', mode: 'OUTPUT', data: scores.join('\n'), encoding: 'CSV' },
      },
      eventMetadata: { eventId: `e-${seed}-${i}`, inferenceId: id, inferenceTime: '2026-12-04T09:00:00Z' },
      eventVersion: '0',
    }));
  }
  return lines.join('\n') + '\n';
}

/** AUC by counting pairs (an implementation independent of the job's rank formula). */
function pairAuc(samples: Sample[]): number {
  const pos = samples.filter((s) => s.label === 1);
  const neg = samples.filter((s) => s.label === 0);
  let wins = 0;
  for (const p of pos) for (const n of neg) wins += p.score > n.score ? 1 : p.score === n.score ? 0.5 : 0;
  return wins / (pos.length * neg.length);
}

/**
 * Job runs of one file, made in one python3 (pandas imported once): `add` registers a scenario before
 * the tests run, `run` (beforeAll) runs them all through the harness, each with fresh fakes, and
 * `result` is that run's report and calls, or throws its traceback.
 */
class JobRuns {
  private readonly scenarios: Array<Record<string, unknown>> = [];
  private results?: Array<{ report: any; calls: Record<string, any[]>; error?: string }>;
  public add(scenario: Record<string, unknown>): number {
    return this.scenarios.push({ now: NOW, page_size: 1, ...scenario }) - 1;
  }
  public run(): void {
    const r = runScript(HARNESS, [], JSON.stringify(this.scenarios));
    if (r.status !== 0) throw new Error(`drift job harness failed (${r.status}):\n${r.stderr}`);
    this.results = JSON.parse(r.stdout);
  }
  public result(handle: number): { report: any; calls: Record<string, any[]> } {
    const r = this.results?.[handle];
    if (!r) throw new Error(`no result for job run ${handle} (run() not called?)`);
    if (r.error) throw new Error(`drift job failed:\n${r.error}`);
    return r;
  }
}

describeIfPython('drift_job.py end to end with fake AWS clients (Debian python3)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'drift-job-'));
  // The served version's baseline, written by the same command line the retraining workflow runs.
  const rnd = random(11);
  const train = Array.from({ length: 3000 }, () => [0, Math.floor(rnd() * 72), (70 + 15 * normal(rnd)).toFixed(2), rnd() < 0.5 ? 1 : rnd() < 0.6 ? 2 : 3].join(','));
  fs.writeFileSync(path.join(tmp, 'train.csv'), train.join('\n') + '\n');
  const cli = runScript(MODEL_STATS_SCRIPT, ['baseline', '--train', path.join(tmp, 'train.csv'), '--features', FEATURES.join(','), '--categorical', 'plan', '--out', tmp]);
  if (cli.status !== 0) throw new Error(cli.stderr);
  const baseline = fs.readFileSync(path.join(tmp, 'baseline.json'), 'utf-8');

  // Capture: variants A and B, hours 08 and 09 (in the window), 07 and 10 (outside it: never read).
  const samples: Sample[] = [];
  const outside: Sample[] = [];
  const shift = 20; // monthly_charges drifts by more than a standard deviation
  const objects: Record<string, string> = {
    [BASELINE_URI]: baseline,
    [`${CAPTURE}A/2026/12/04/08/10-00-01-abc.jsonl`]: captureFile(1, 30, shift, samples),
    [`${CAPTURE}A/2026/12/04/08/10-30-00-abd.jsonl`]: captureFile(2, 25, shift, samples),
    [`${CAPTURE}A/2026/12/04/09/10-05-00-abe.jsonl`]: captureFile(3, 40, shift, samples),
    [`${CAPTURE}B/2026/12/04/08/10-10-00-abf.jsonl`]: captureFile(4, 20, shift, samples),
    [`${CAPTURE}B/2026/12/04/09/10-40-00-abg.jsonl`]: captureFile(5, 20, shift, samples),
    [`${CAPTURE}A/2026/12/04/07/10-00-00-old.jsonl`]: captureFile(6, 50, 0, outside),
    [`${CAPTURE}B/2026/12/04/10/10-00-00-new.jsonl`]: captureFile(7, 50, 0, outside),
  };
  // Ground truth (Model Monitor format) for every third captured row of the window, plus labels of
  // inferences the window never captured (they join nothing).
  const labelled = samples.filter((_, i) => i % 3 === 0);
  // A two-row request's labels arrive as one record with a label per line.
  const multi = new Map<string, Sample[]>();
  for (const s of labelled) multi.set(s.id, [...(multi.get(s.id) ?? []), s]);
  const truth = [...multi.entries()].map(([id, list]) => {
    const all = samples.filter((s) => s.id === id);
    if (all.length === 1) return JSON.stringify({ groundTruthData: { data: String(list[0].label), encoding: 'CSV' }, eventMetadata: { eventId: id }, eventVersion: '0' });
    return JSON.stringify({ groundTruthData: { data: all.map((s) => s.label).join('\n'), encoding: 'CSV' }, eventMetadata: { eventId: id }, eventVersion: '0' });
  });
  const joined = [...multi.keys()].flatMap((id) => samples.filter((s) => s.id === id));
  objects[`${TRUTH}2026/12/04/09/labels-1.jsonl`] = truth.slice(0, 20).join('\n') + '\n';
  objects[`${TRUTH}2026/12/04/08/labels-2.jsonl`] = truth.slice(20).join('\n') + '\n'
    + JSON.stringify({ groundTruthData: { data: '1', encoding: 'CSV' }, eventMetadata: { eventId: 'never-captured' }, eventVersion: '0' }) + '\n';

  const scenario = { argv: args(), objects, parameters: { [PARAMETER]: PACKAGE }, packages: { [PACKAGE]: described(true) } };
  const jobs = new JobRuns();
  beforeAll(() => jobs.run(), 300_000);
  // The job is deterministic (fixed clock, in-memory fakes): the first three tests read one run of this scenario.
  const scenarioRun = jobs.add(scenario);

  test('reads the served version and its baseline, the window of both variants, and writes the report', () => {
    const { report, calls } = jobs.result(scenarioRun);
    expect(calls['ssm.get_parameter']).toEqual([{ Name: PARAMETER }]);
    expect(calls['sagemaker.describe_model_package']).toEqual([{ ModelPackageName: PACKAGE }]);
    // Every hour of the window for every variant, then ground truth for the same hours; paged (1 key per page, so ListObjectsV2 continuation is followed).
    const prefixes = [...new Set(calls['s3.list_objects_v2'].map((c: any) => `s3://${c.Bucket}/${c.Prefix}`))];
    expect(prefixes).toEqual([
      `${CAPTURE}A/2026/12/04/08/`, `${CAPTURE}A/2026/12/04/09/`, `${CAPTURE}B/2026/12/04/08/`, `${CAPTURE}B/2026/12/04/09/`,
      `${TRUTH}2026/12/04/08/`, `${TRUTH}2026/12/04/09/`,
    ]);
    expect(calls['s3.list_objects_v2'].filter((c: any) => c.Prefix === `data-capture/${ENDPOINT}/A/2026/12/04/08/`).map((c: any) => c.ContinuationToken))
      .toEqual([null, '1']);
    const read = calls['s3.get_object'].map((c: any) => `s3://${c.Bucket}/${c.Key}`);
    expect(read).not.toContain(`${CAPTURE}A/2026/12/04/07/10-00-00-old.jsonl`);
    expect(read).not.toContain(`${CAPTURE}B/2026/12/04/10/10-00-00-new.jsonl`);

    expect(calls['s3.put_object']).toHaveLength(1);
    const put = calls['s3.put_object'][0];
    expect(put).toMatchObject({ Bucket: 'lake-analytics', Key: `model-monitoring/${ENDPOINT}/2026/12/04/10/report.json`, ContentType: 'application/json' });
    expect(put.Body).toEqual(report);
    expect(report).toMatchObject({
      status: 'ok', endpoint: ENDPOINT, served_version: PACKAGE, baseline_uri: BASELINE_URI,
      window: { start: '2026-12-04T08:00:00+00:00', end: '2026-12-04T10:00:00+00:00', hours: 2 },
      records: samples.length, records_per_variant: { A: 30 + 3 + 25 + 3 + 40 + 4, B: 20 + 2 + 20 + 2 },
    });
    expect(report.drift.max_feature).toBe('monthly_charges');
    expect(report.drift.features.monthly_charges).toBeGreaterThan(0.2);
    expect(report.drift.features.tenure).toBeLessThan(0.2);
  });

  test('joins ground truth by inference id (and row) and scores the registered metric', () => {
    const { report } = jobs.result(scenarioRun);
    expect(report.quality).toEqual({ metric: 'auc', value: expect.any(Number), samples: joined.length });
    expect(report.quality.value).toBeCloseTo(pairAuc(joined), 12);
  });

  test('publishes exactly the metrics of DRIFT_METRIC_SPEC: names, dimensions, units', () => {
    const { report, calls } = jobs.result(scenarioRun);
    const ts = '2026-12-04T10:00:00+00:00';
    const endpoint = [{ Name: 'EndpointName', Value: ENDPOINT }];
    const f = report.drift.features;
    expect(calls['cloudwatch.put_metric_data']).toEqual([{
      Namespace: 'MLOpsPlatform/ModelMonitoring',
      MetricData: [
        { MetricName: 'CapturedRecords', Dimensions: endpoint, Timestamp: ts, Value: samples.length, Unit: 'Count' },
        { MetricName: 'InsufficientCapturedData', Dimensions: endpoint, Timestamp: ts, Value: 0, Unit: 'None' },
        { MetricName: 'FeatureDrift', Dimensions: [...endpoint, { Name: 'Feature', Value: 'monthly_charges' }], Timestamp: ts, Value: f.monthly_charges, Unit: 'None' },
        { MetricName: 'FeatureDrift', Dimensions: [...endpoint, { Name: 'Feature', Value: 'plan' }], Timestamp: ts, Value: f.plan, Unit: 'None' },
        { MetricName: 'FeatureDrift', Dimensions: [...endpoint, { Name: 'Feature', Value: 'tenure' }], Timestamp: ts, Value: f.tenure, Unit: 'None' },
        { MetricName: 'MaxFeatureDrift', Dimensions: endpoint, Timestamp: ts, Value: f.monthly_charges, Unit: 'None' },
        { MetricName: 'GroundTruthSamples', Dimensions: endpoint, Timestamp: ts, Value: joined.length, Unit: 'Count' },
        { MetricName: 'ModelQuality', Dimensions: [...endpoint, { Name: 'Metric', Value: 'auc' }], Timestamp: ts, Value: report.quality.value, Unit: 'None' },
      ],
    }]);
    // The literal names above are the spec's: the job took them from --metric_spec.
    expect(Object.values(DRIFT_METRIC_SPEC.metrics).sort()).toEqual(
      [...new Set(calls['cloudwatch.put_metric_data'][0].MetricData.map((d: any) => d.MetricName))].sort());
  });

  const fewRecords = jobs.add({ ...scenario, argv: args({ '--min_records': '1000', '--ground_truth_uri': 'none' }) });
  test('a window with fewer records than --min_records: InsufficientCapturedData 1, CapturedRecords, no drift values', () => {
    const { report, calls } = jobs.result(fewRecords);
    expect(report.status).toBe('insufficient_data');
    expect(report.drift).toEqual({ status: 'insufficient_data', records: samples.length, features: {}, max_drift: null, max_feature: null });
    const data = calls['cloudwatch.put_metric_data'][0].MetricData;
    expect(data.map((d: any) => [d.MetricName, d.Value])).toEqual([['CapturedRecords', samples.length], ['InsufficientCapturedData', 1]]);
  });

  const noApproved = jobs.add({ ...scenario, parameters: { [PARAMETER]: 'none' } });
  test('no approved version yet (the SSM placeholder): report no_approved_version, publish nothing, exit 0', () => {
    const { report, calls } = jobs.result(noApproved);
    expect(report).toMatchObject({ status: 'no_approved_version', served_version: null });
    expect(calls['sagemaker.describe_model_package']).toBeUndefined();
    expect(calls['cloudwatch.put_metric_data']).toBeUndefined();
    expect(calls['s3.put_object'][0].Key).toBe(`model-monitoring/${ENDPOINT}/2026/12/04/10/report.json`);
  });

  const noBaseline = jobs.add({ ...scenario, packages: { [PACKAGE]: described(false) } });
  test('a version registered without a baseline: report no_baseline, publish CapturedRecords only', () => {
    const { report, calls } = jobs.result(noBaseline);
    expect(report).toMatchObject({ status: 'no_baseline', served_version: PACKAGE, baseline_uri: null, records: samples.length });
    expect(calls['cloudwatch.put_metric_data']).toEqual([{
      Namespace: 'MLOpsPlatform/ModelMonitoring',
      MetricData: [{ MetricName: 'CapturedRecords', Dimensions: [{ Name: 'EndpointName', Value: ENDPOINT }], Timestamp: '2026-12-04T10:00:00+00:00', Value: samples.length, Unit: 'Count' }],
    }]);
  });

  const features = Array.from({ length: 1200 }, (_, i) => `f${i}`);
  const wide = JSON.stringify({ version: 1, feature_order: features, rows: 2, features: features.map((name) => ({ name, type: 'numeric', bin_edges: [0, 1], counts: [2], count: 2, missing: 0 })) });
  const line = JSON.stringify({ captureData: { endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: features.map(() => '0.5').join(','), encoding: 'CSV' } }, eventMetadata: { eventId: 'e' }, eventVersion: '0' });
  const wideRun = jobs.add({
    ...scenario,
    argv: args({ '--variant_names': 'A', '--min_records': '1', '--ground_truth_uri': 'none' }),
    objects: { [BASELINE_URI]: wide, [`${CAPTURE}A/2026/12/04/09/x.jsonl`]: line },
  });
  test('more than 1000 metric data are split into PutMetricData calls of at most 1000', () => {
    const r = runScript(HARNESS, [], '');
    expect(r.status).not.toBe(0); // the harness needs a scenario (sanity check of the runner itself)
    const { calls } = jobs.result(wideRun);
    expect(calls['cloudwatch.put_metric_data'].map((c: any) => c.MetricData.length)).toEqual([1000, 203]);
  });
});
