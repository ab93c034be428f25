import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MODEL_STATS_SCRIPT } from '../../lib/core/python-assets';
import { PythonBatch, normal, pythonReady, random, runScript } from './helpers-python';

/**
 * lib/core/python/model_stats.py with Debian's python3 on generated data: baselines of a prepared
 * training split (the `baseline` command line the retraining workflow runs), PSI drift of numeric and
 * categorical features, too-few-records windows, data-capture and ground-truth decoding, AUC and RMSE.
 */
const ready = pythonReady('the model_stats tests');
const describeIfPython = ready ? describe : describe.skip;

const FEATURES = ['tenure', 'monthly_charges', 'plan'];
const PLANS = ['1', '2', '3'];

interface Options { chargesShift?: number; planWeights?: number[]; missingEvery?: number }

/** Rows of the three features: tenure uniform 0..72, charges ~ N(70, 15), plan 1/2/3 (categorical codes). */
function rows(n: number, seed: number, o: Options = {}): (string | number)[][] {
  const rnd = random(seed);
  const weights = o.planWeights ?? [0.5, 0.3, 0.2];
  const out: (string | number)[][] = [];
  for (let i = 0; i < n; i++) {
    const tenure = Math.floor(rnd() * 72);
    const charges = Math.round((70 + 15 * normal(rnd) + (o.chargesShift ?? 0)) * 100) / 100;
    const u = rnd();
    const plan = u < weights[0] ? PLANS[0] : u < weights[0] + weights[1] ? PLANS[1] : PLANS[2];
    out.push([tenure, o.missingEvery && i % o.missingEvery === 0 ? '' : charges, plan]);
  }
  return out;
}

describeIfPython('model_stats.py (Debian python3)', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'model-stats-'));
  // The prepared split as bin/training/prepare.py writes it: no header, the label first, then the
  // features in order (floats as pandas writes them: "1.0" where a column holds missing values).
  const train = rows(5000, 7, { missingEvery: 50 });
  fs.mkdirSync(path.join(tmp, 'train'));
  fs.writeFileSync(path.join(tmp, 'train', 'train.csv'),
    train.map((r, i) => [i % 3 === 0 ? 1 : 0, r[0], r[1], `${r[2]}.0`].join(',')).join('\n') + '\n');
  const cli = runScript(MODEL_STATS_SCRIPT, ['baseline', '--train', path.join(tmp, 'train'), '--features', FEATURES.join(','), '--categorical', 'plan', '--out', path.join(tmp, 'out')]);
  const baselineFile = path.join(tmp, 'out', 'baseline.json');

  // Every snippet below runs in one python3 (beforeAll): importing pandas once, not once per test.
  const batch = new PythonBatch();
  beforeAll(() => batch.run(), 300_000);

  /** Registers drift_report of a window (rows of the three features) against the CLI's baseline; batch.result(handle) is the report. */
  function drift(window: (string | number)[][], minRecords = 100): number {
    return batch.add(`
import json, sys, pandas as pd, model_stats as m
baseline = json.load(open(${JSON.stringify(baselineFile)}))
frame = pd.DataFrame(json.load(sys.stdin), columns=${JSON.stringify(FEATURES)})
print(json.dumps(m.drift_report(baseline, frame, ${minRecords})))`, JSON.stringify(window));
  }

  test('the baseline command writes the documented schema: quantile edges, counts, categories, order', () => {
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    const b = JSON.parse(fs.readFileSync(baselineFile, 'utf-8'));
    expect(b).toMatchObject({ version: 1, feature_order: FEATURES, rows: 5000 });
    expect(b.features.map((f: { name: string; type: string }) => [f.name, f.type])).toEqual([['tenure', 'numeric'], ['monthly_charges', 'numeric'], ['plan', 'categorical']]);
    const charges = b.features[1];
    expect(charges.bin_edges).toHaveLength(11); // 10 quantile bins of a continuous feature
    expect(charges.counts).toHaveLength(10);
    expect(charges.missing).toBe(100); // every 50th row
    expect(charges.count).toBe(4900);
    expect(charges.counts.reduce((a: number, c: number) => a + c, 0)).toBe(4900);
    for (const c of charges.counts) expect(Math.abs(c - 490)).toBeLessThan(30); // quantile bins hold ~equal shares
    // "1.0" in the split and "1" in a request are one category.
    expect(Object.keys(b.features[2].categories).sort()).toEqual(PLANS);
    expect(b.features[2].count).toBe(5000);
  });

  const unchanged = drift(rows(2000, 99));
  test('unchanged distributions stay below 0.1 on every feature', () => {
    const r = batch.result(unchanged);
    expect(r.status).toBe('ok');
    expect(r.records).toBe(2000);
    expect(Object.keys(r.features).sort()).toEqual([...FEATURES].sort());
    for (const v of Object.values(r.features)) expect(v).toBeLessThan(0.1);
    expect(r.max_drift).toBeLessThan(0.1);
    // Missing values are reported beside PSI, not in it: 2% in training, none in this window.
    expect(r.missing.monthly_charges).toEqual({ baseline: 0.02, window: 0 });
  });

  const numericShift = drift(rows(2000, 99, { chargesShift: 15 })); // one standard deviation
  test('one shifted numeric feature crosses 0.2 and is the one named max_feature', () => {
    const r = batch.result(numericShift);
    expect(r.features.monthly_charges).toBeGreaterThan(0.2);
    expect(r.features.tenure).toBeLessThan(0.1);
    expect(r.features.plan).toBeLessThan(0.1);
    expect(r.max_feature).toBe('monthly_charges');
    expect(r.max_drift).toBe(r.features.monthly_charges);
  });

  const categoricalShift = drift(rows(2000, 99, { planWeights: [0.2, 0.3, 0.5] }));
  test('one shifted categorical feature crosses 0.2 and is the one named max_feature', () => {
    const r = batch.result(categoricalShift);
    expect(r.features.plan).toBeGreaterThan(0.2);
    expect(r.features.monthly_charges).toBeLessThan(0.1);
    expect(r.max_feature).toBe('plan');
  });

  const outOfRange = drift(rows(1000, 5).map((r, i) => (i % 4 === 0 ? [r[0], 10_000, 'enterprise'] : r)));
  test('values outside the training range fall into the open first and last bins, unseen categories into their own bin', () => {
    const r = batch.result(outOfRange);
    expect(r.status).toBe('ok');
    expect(r.features.monthly_charges).toBeGreaterThan(0.2); // 25% beyond the maximum: in the last bin, counted
    expect(r.features.plan).toBeGreaterThan(0.2); // 25% of a category never seen in training
  });

  const tooFew = drift(rows(99, 3, { chargesShift: 50 }), 100);
  test('a window with too few records says insufficient_data and produces no drift values', () => {
    const r = batch.result(tooFew);
    expect(r).toEqual({ status: 'insufficient_data', records: 99, features: {}, max_drift: null, max_feature: null });
  });

  const psi = batch.add(`
import json, math, model_stats as m
print(json.dumps({
  "same": m.psi([10, 20, 70], [1, 2, 7], 1e-4),
  "value": m.psi([50, 50], [25, 75], 1e-4),
  "expected": (0.25 - 0.5) * math.log(0.25 / 0.5) + (0.75 - 0.5) * math.log(0.75 / 0.5),
  "empty_bin": m.psi([50, 50, 0], [40, 40, 20], 1e-4),
  "empty_expected": 2 * (0.4 - 0.5) * math.log(0.4 / 0.5) + (0.2 - 1e-4) * math.log(0.2 / 1e-4),
  "no_data": m.psi([1, 2], [0, 0], 1e-4),
}))`);
  test('psi: the documented formula with epsilon for empty bins', () => {
    const r = batch.result(psi);
    expect(r.same).toBeCloseTo(0, 12);
    expect(r.value).toBeCloseTo(r.expected, 12);
    expect(r.empty_bin).toBeCloseTo(r.empty_expected, 12);
    expect(r.no_data).toBeNull();
  });

  const b64 = (s: string) => Buffer.from(s).toString('base64');
  // Record format: SageMaker developer guide, "Capture data from real-time endpoint" (viewing captured data).
  const captureLines = [
    { captureData: { endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: '12,70.5,1\n30,99.1,3\n', encoding: 'CSV' },
      endpointOutput: { observedContentType: 'text/csv; charset=utf-8', mode: 'OUTPUT', data: '0.25\n0.75', encoding: 'CSV' } },
    eventMetadata: { eventId: 'e-1', inferenceId: 'inf-1', inferenceTime: '2026-12-04T10:01:02Z' }, eventVersion: '0' },
    { captureData: { endpointInput: { observedContentType: 'application/json', mode: 'INPUT', data: JSON.stringify({ tenure: 5, monthly_charges: 20, plan: '2' }), encoding: 'JSON' },
      endpointOutput: { observedContentType: 'application/json', mode: 'OUTPUT', data: JSON.stringify({ predictions: [{ score: 0.4 }] }), encoding: 'JSON' } },
    eventMetadata: { eventId: 'e-2', inferenceTime: '2026-12-04T10:02:00Z' }, eventVersion: '0' },
    { captureData: { endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: b64('7,44.4,2'), encoding: 'BASE64' },
      endpointOutput: { observedContentType: 'text/csv', mode: 'OUTPUT', data: b64('0.9'), encoding: 'BASE64' } },
    eventMetadata: { eventId: 'e-3', inferenceId: 'inf-3', inferenceTime: '2026-12-04T10:03:00Z' }, eventVersion: '0' },
    { captureData: { endpointInput: { observedContentType: 'application/json', mode: 'INPUT', data: b64(JSON.stringify({ instances: [[1, 2, 3], [4, 5, 6]] })), encoding: 'BASE64' },
      endpointOutput: { observedContentType: 'application/json', mode: 'OUTPUT', data: b64('[0.1, 0.2]'), encoding: 'BASE64' } },
    eventMetadata: { eventId: 'e-4', inferenceTime: '2026-12-04T10:04:00Z' }, eventVersion: '0' },
  ].map((l) => JSON.stringify(l)).concat(['', 'not json']);
  const decodedCapture = batch.add(`
import json, sys, model_stats as m
f = m.decode_capture_lines(sys.stdin.read().split("\\n"), ${JSON.stringify(FEATURES)})
print(f.to_json(orient="records"))`, captureLines.join('\n'));
  test('decodes captured CSV requests of several rows, JSON requests and BASE64 records, with predictions and inference ids', () => {
    const frame = batch.result(decodedCapture);
    expect(frame).toEqual([
      { tenure: '12', monthly_charges: '70.5', plan: '1', prediction: 0.25, inference_id: 'inf-1', event_id: 'e-1', row: 0, inference_time: '2026-12-04T10:01:02Z' },
      { tenure: '30', monthly_charges: '99.1', plan: '3', prediction: 0.75, inference_id: 'inf-1', event_id: 'e-1', row: 1, inference_time: '2026-12-04T10:01:02Z' },
      // Without an inferenceId the eventId is the join key, as Model Monitor does.
      { tenure: 5, monthly_charges: 20, plan: '2', prediction: 0.4, inference_id: 'e-2', event_id: 'e-2', row: 0, inference_time: '2026-12-04T10:02:00Z' },
      { tenure: '7', monthly_charges: '44.4', plan: '2', prediction: 0.9, inference_id: 'inf-3', event_id: 'e-3', row: 0, inference_time: '2026-12-04T10:03:00Z' },
      { tenure: 1, monthly_charges: 2, plan: 3, prediction: 0.1, inference_id: 'e-4', event_id: 'e-4', row: 0, inference_time: '2026-12-04T10:04:00Z' },
      { tenure: 4, monthly_charges: 5, plan: 6, prediction: 0.2, inference_id: 'e-4', event_id: 'e-4', row: 1, inference_time: '2026-12-04T10:04:00Z' },
    ]);
  });

  // Format: SageMaker developer guide, "Ingest Ground Truth labels and merge them with predictions".
  const truthLines = [
    { groundTruthData: { data: '1', encoding: 'CSV' }, eventMetadata: { eventId: 'inf-1' }, eventVersion: '0' },
    { groundTruthData: { data: '[0]', encoding: 'JSON' }, eventMetadata: { eventId: 'e-2' }, eventVersion: '0' },
    { groundTruthData: { data: Buffer.from('1\n0').toString('base64'), encoding: 'BASE64' }, eventMetadata: { eventId: 'inf-7' }, eventVersion: '0' },
  ].map((l) => JSON.stringify(l));
  const decodedTruth = batch.add(`
import sys, model_stats as m
print(m.decode_ground_truth_lines(sys.stdin.read().split("\\n")).to_json(orient="records"))`, truthLines.join('\n'));
  test('decodes Model Monitor ground truth (CSV, JSON and BASE64 data) keyed by eventMetadata.eventId', () => {
    const frame = batch.result(decodedTruth);
    expect(frame).toEqual([
      { inference_id: 'inf-1', row: 0, label: 1 },
      { inference_id: 'e-2', row: 0, label: 0 },
      { inference_id: 'inf-7', row: 0, label: 1 },
      { inference_id: 'inf-7', row: 1, label: 0 },
    ]);
  });

  const quality = batch.add(`
import json, model_stats as m
print(json.dumps({
  "auc": m.model_quality([0.1, 0.4, 0.4, 0.8, 0.4, 0.9], [0, 0, 1, 1, 0, 1], "binary_classification"),
  "one_class": m.model_quality([0.1, 0.2], [1, 1], "binary_classification"),
  "rmse": m.model_quality([1.0, 2.0, 3.0, float("nan")], [1.0, 2.0, 5.0, 4.0], "regression"),
}))`);
  test('AUC with ties and RMSE equal hand-computed values', () => {
    const r = batch.result(quality);
    // Positives score 0.4, 0.8, 0.9; negatives 0.1, 0.4, 0.4. Pairs (positive > negative = 1, tie = 1/2):
    // 0.4: 1 + 0.5 + 0.5 = 2; 0.8: 3; 0.9: 3 -> 8 of 9 pairs.
    expect(r.auc).toEqual({ metric: 'auc', value: expect.any(Number), samples: 6 });
    expect(r.auc.value).toBeCloseTo(8 / 9, 12);
    expect(r.one_class).toEqual({ metric: 'auc', value: null, samples: 2 });
    // Errors 0, 0, 2 (the NaN prediction is left out): sqrt(4 / 3).
    expect(r.rmse.value).toBeCloseTo(Math.sqrt(4 / 3), 12);
    expect(r.rmse.samples).toBe(3);
  });

  test('fails with a clear message when --categorical names a feature --features does not', () => {
    const r = runScript(MODEL_STATS_SCRIPT, ['baseline', '--train', path.join(tmp, 'train'), '--features', 'a,b', '--categorical', 'plan', '--out', path.join(tmp, 'x')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--categorical names plan, which --features does not/);
  });

  test('fails with a clear message when the split has the wrong number of columns', () => {
    const r = runScript(MODEL_STATS_SCRIPT, ['baseline', '--train', path.join(tmp, 'train', 'train.csv'), '--features', 'a,b', '--out', path.join(tmp, 'x')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/has 4 columns, expected 3 \(the label, then a, b\)/);
    expect(r.stderr).not.toMatch(/Traceback/);
  });
});
