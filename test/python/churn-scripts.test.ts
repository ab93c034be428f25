import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';

/**
 * Runs the reference churn scripts (bin/training/prepare.py and evaluate.py) with Debian's Python on
 * a synthetic export shaped as the workflow's Athena UNLOAD writes it (TEXTFILE, ',' delimited, no
 * header, columns id, label, features...; gzip; nulls as \N), trains XGBoost on the prepared split
 * like the built-in algorithm (label first, no header) and scores it.
 */
const PYTHON = '/usr/bin/python3';
const BIN = path.join(__dirname, '..', '..', 'bin', 'training');
const FEATURES = ['tenure', 'monthly_charges', 'support_calls'];
const CONTRACT = ['--features', FEATURES.join(','), '--label', 'churned', '--id', 'sample_id'];

function pythonReady(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import pandas, sklearn, xgboost'], { encoding: 'utf-8' });
  return r.status === 0;
}

const ready = pythonReady();
if (!ready) {
  const message = `${PYTHON} lacks pandas, scikit-learn or xgboost; install the Debian packages python3-pandas python3-sklearn python3-xgboost`;
  if (process.env.CI) throw new Error(message);
  console.warn(`Skipping the churn script tests: ${message}`);
}
const describeIfPython = ready ? describe : describe.skip;

function run(script: string, args: string[]) {
  return spawnSync(PYTHON, [path.join(BIN, script), ...args], { encoding: 'utf-8', timeout: 120_000 });
}

/** A deterministic generator (mulberry32), so that the data set is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Row { id: string; label: string; features: string[] }

/** Churn rises with support calls and monthly charges and falls with tenure: a learnable signal. */
function churnRows(n: number): Row[] {
  const rnd = random(42);
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const tenure = Math.floor(rnd() * 72);
    const charges = Math.round((20 + rnd() * 100) * 100) / 100 + i / 1e5; // unique, so rows can be traced
    const calls = Math.floor(rnd() * 8);
    const risk = 1.2 * calls + 0.04 * charges - 0.08 * tenure - 2 + (rnd() - 0.5) * 2;
    // Every 25th row has no label (\N, as UNLOAD TEXTFILE writes nulls); every 40th a missing feature.
    const label = i % 25 === 7 ? '\\N' : String(risk > 0 ? 1 : 0);
    rows.push({ id: `c-${i}`, label, features: [String(tenure), i % 40 === 3 ? '\\N' : charges.toFixed(5), String(calls)] });
  }
  return rows;
}

/** Writes the rows as UNLOAD would: several files, gzip-compressed (one left plain, as a check that content decides). */
function writeExport(dir: string, rows: Row[], files: number): void {
  fs.mkdirSync(dir, { recursive: true });
  for (let f = 0; f < files; f++) {
    const text = rows.filter((_, i) => i % files === f).map((r) => [r.id, r.label, ...r.features].join(',')).join('\n') + '\n';
    if (f === files - 1) fs.writeFileSync(path.join(dir, `part-${f}`), text);
    else fs.writeFileSync(path.join(dir, `20261204_000000_abc_${f}.gz`), zlib.gzipSync(text));
  }
}

function readCsv(file: string): string[][] {
  return fs.readFileSync(file, 'utf-8').trim().split('\n').map((l) => l.split(','));
}

describeIfPython('reference churn scripts (bin/training) with Debian python3', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'churn-'));
  const rows = churnRows(600);
  const labelled = rows.filter((r) => r.label !== '\\N');
  const byCharges = new Map(rows.map((r) => [r.features[1], r]));
  writeExport(path.join(tmp, 'export'), rows, 3);
  const prepared = path.join(tmp, 'prepared');
  const prep = run('prepare.py', [...CONTRACT, '--input', path.join(tmp, 'export'), '--output', prepared]);

  test('prepare drops unlabelled rows and writes train/test with the label first and no header', () => {
    expect(prep.stderr).toBe('');
    expect(prep.status).toBe(0);
    const train = readCsv(path.join(prepared, 'train', 'train.csv'));
    const test = readCsv(path.join(prepared, 'test', 'test.csv'));
    expect(train.length + test.length).toBe(labelled.length);
    expect(test.length / labelled.length).toBeGreaterThan(0.12);
    expect(test.length / labelled.length).toBeLessThan(0.28);
    for (const line of [...train, ...test]) {
      expect(line).toHaveLength(1 + FEATURES.length);
      expect(['0', '1', '0.0', '1.0']).toContain(line[0]);
    }
    // Traced back by the unique charges: the first column is that row's label, then the features in order.
    const traced = train.filter((l) => l[2] !== '').slice(0, 50);
    for (const l of traced) {
      const row = byCharges.get(Number(l[2]).toFixed(5))!;
      expect(Number(l[0])).toBe(Number(row.label));
      expect(Number(l[1])).toBe(Number(row.features[0]));
      expect(Number(l[3])).toBe(Number(row.features[2]));
    }
  });

  test('the split is stable across runs and file layouts, and no row is in both splits', () => {
    const again = path.join(tmp, 'again');
    const shuffled = [...rows].reverse();
    writeExport(path.join(tmp, 'export2'), shuffled, 5);
    const r = run('prepare.py', [...CONTRACT, '--input', path.join(tmp, 'export2'), '--output', again]);
    expect(r.status).toBe(0);
    // Rows are unique by their charges; the few with a missing charge are not traceable and left out.
    const lines = (file: string) => readCsv(file).filter((l) => l[2] !== '').map((l) => l.join(','));
    const test1 = new Set(lines(path.join(prepared, 'test', 'test.csv')));
    const test2 = new Set(lines(path.join(again, 'test', 'test.csv')));
    expect(test1.size).toBeGreaterThan(50);
    expect([...test2].sort()).toEqual([...test1].sort());
    const train1 = lines(path.join(prepared, 'train', 'train.csv'));
    expect(train1.filter((l) => test1.has(l))).toEqual([]);
  });

  test('evaluate scores the built-in-style model: AUC > 0.8 on the learnable data', () => {
    const archive = path.join(tmp, 'model.tar.gz');
    const train = spawnSync(PYTHON, [path.join(__dirname, 'train_xgboost.py'), path.join(prepared, 'train', 'train.csv'), archive], { encoding: 'utf-8' });
    expect(train.status).toBe(0);
    const out = path.join(tmp, 'evaluation');
    const r = run('evaluate.py', [...CONTRACT, '--model', archive, '--test', path.join(prepared, 'test'), '--output', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(out, 'evaluation.json'), 'utf-8'));
    expect(report.metrics.auc).toBeGreaterThan(0.8);
    expect(report.metrics.accuracy).toBeGreaterThan(0.7);
    expect(report.metrics.samples).toBe(readCsv(path.join(prepared, 'test', 'test.csv')).length);
  });

  test('an empty export (first run, no data) fails with a clear message, not a stack trace', () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty, { recursive: true });
    fs.writeFileSync(path.join(empty, 'part-0.gz'), zlib.gzipSync(''));
    const r = run('prepare.py', [...CONTRACT, '--input', empty, '--output', path.join(tmp, 'empty-out')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/prepare: the export under .* has no rows .*the source table is empty/);
    expect(r.stderr).not.toMatch(/Traceback/);
  });

  test('a column of the contract that is not numeric fails with a clear message', () => {
    const bad = path.join(tmp, 'bad');
    fs.mkdirSync(bad, { recursive: true });
    fs.writeFileSync(path.join(bad, 'part-0'), 'a,1,3,gold,2\nb,0,4,silver,1\n');
    const r = run('prepare.py', [...CONTRACT, '--input', bad, '--output', path.join(tmp, 'bad-out')]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/monthly_charges hold values that are not numbers/);
    expect(r.stderr).not.toMatch(/Traceback/);
  });
});
