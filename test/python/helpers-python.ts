import { spawnSync } from 'child_process';
import * as path from 'path';

/** Debian's Python, as CI installs it (python3-pandas, python3-numpy). */
export const PYTHON = '/usr/bin/python3';
export const LIB_PYTHON = path.join(__dirname, '..', '..', 'lib', 'core', 'python');

/**
 * Whether Debian's python3 has what the library's own Python needs (numpy and pandas). In CI a missing
 * module fails the run; elsewhere the tests are skipped with a warning (as test/python/churn-scripts does).
 */
export function pythonReady(what: string): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import numpy, pandas'], { encoding: 'utf-8' });
  if (r.status === 0) return true;
  const message = `${PYTHON} lacks numpy or pandas; install the Debian packages python3-numpy python3-pandas`;
  if (process.env.CI) throw new Error(message);
  console.warn(`Skipping ${what}: ${message}`);
  return false;
}

/** Never write __pycache__ into lib/core/python: it would change the asset hashes and ship in dist/. */
export const PYTHON_ENV = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONPATH: LIB_PYTHON };

/** Runs a Python snippet with model_stats importable; the snippet prints one JSON document. */
export function py(code: string, input?: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = spawnSync(PYTHON, ['-c', code], { encoding: 'utf-8', env: PYTHON_ENV, input, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`python failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

/**
 * Python snippets that run together in ONE interpreter (pandas and the library imported once, not
 * once per snippet): `add` registers a snippet before the tests run, `run` (in beforeAll) executes
 * them all, each in fresh globals with its own stdin and stdout, and `result` returns what the
 * snippet printed, parsed as JSON, or throws its traceback as `py` does.
 */
export class PythonBatch {
  private readonly snippets: Array<{ code: string; input: string }> = [];
  private results?: Array<{ ok: boolean; stdout?: string; error?: string }>;

  /** Registers a snippet (it prints one JSON document); returns its handle for `result`. */
  public add(code: string, input?: string): number {
    if (this.results) throw new Error('PythonBatch: add every snippet before run()');
    return this.snippets.push({ code, input: input ?? '' }) - 1;
  }

  /** Runs every registered snippet in one python3. */
  public run(): void {
    const r = spawnSync(PYTHON, ['-c', BATCH_DRIVER], { encoding: 'utf-8', env: PYTHON_ENV, input: JSON.stringify(this.snippets), timeout: 300_000, maxBuffer: 256 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`python batch failed (${r.status}):\n${r.stderr}`);
    this.results = JSON.parse(r.stdout);
  }

  /** What snippet `handle` printed, parsed as JSON (as `py` returns it); throws when it raised. */
  public result(handle: number): any { // eslint-disable-line @typescript-eslint/no-explicit-any
    const r = this.results?.[handle];
    if (!r) throw new Error(`PythonBatch: no result for snippet ${handle} (run() not called?)`);
    if (!r.ok) throw new Error(`python failed:\n${r.error}`);
    return JSON.parse(r.stdout!);
  }
}

const BATCH_DRIVER = `
import io, json, sys, traceback
cases = json.load(sys.stdin)
out = []
for case in cases:
    sys.stdin = io.StringIO(case["input"])
    sys.stdout = buffer = io.StringIO()
    try:
        exec(compile(case["code"], "<snippet>", "exec"), {"__name__": "__main__"})
        out.append({"ok": True, "stdout": buffer.getvalue()})
    except BaseException:
        out.append({"ok": False, "error": traceback.format_exc()})
    finally:
        sys.stdout, sys.stdin = sys.__stdout__, sys.__stdin__
print(json.dumps(out))
`;

/** Runs a Python script with arguments. */
export function runScript(script: string, args: string[], input?: string) {
  return spawnSync(PYTHON, [script, ...args], { encoding: 'utf-8', env: PYTHON_ENV, input, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 });
}

/** A deterministic generator (mulberry32), so that data sets are the same on every run. */
export function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box-Muller) from a uniform generator. */
export function normal(rnd: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
}
