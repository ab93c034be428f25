#!/usr/bin/env node
// `npm run bench`: times `cdk synth` of the default app (bin/app.ts) against a bare app with one
// empty stack (scripts/bare-app.ts), and the jest suite. Prints a Markdown table to stdout and
// writes it to .bench/results.md. It is a measurement: missed targets still exit 0; a failing
// command exits 1 after printing its output. Tunables: BENCH_RUNS (default 3), BENCH_TEST_RUNS (1).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const BENCH_DIR = join(ROOT, '.bench'); // gitignored
const TMP_DIR = join(BENCH_DIR, 'tmp');
const CDK = join(ROOT, 'node_modules', '.bin', 'cdk'); // the local devDependency, not a global CLI
const RUNS = positiveInt('BENCH_RUNS', 3);
const TEST_RUNS = positiveInt('BENCH_TEST_RUNS', 1);
const RATIO_TARGET = 1.3;
const TEST_TARGET_S = 60;

// Same toolchain for both apps: the bare app only overrides --app; the command is otherwise the
// one cdk.json uses. Children run from the repo root, so the CLI still reads ./cdk.json and passes
// its context (all feature flags, including @aws-cdk/core:validateAgainstDefaultRules) to both.
const BARE_APP = 'npx ts-node --swc --prefer-ts-exts scripts/bare-app.ts';
const SYNTHS = [
  { key: 'default', label: 'Default app synth (bin/app.ts)', extraArgs: [] },
  { key: 'bare', label: 'Bare app synth (scripts/bare-app.ts)', extraArgs: ['--app', BARE_APP] },
];

// Own TMPDIR so cloud assemblies and caches left by children don't pile up in the system temp dir.
// Note that jest keeps its transform cache under TMPDIR too, so the suite is timed with a cold cache.
const env = { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', CHECKPOINT_DISABLE: '1', TMPDIR: TMP_DIR };
// npx would otherwise now and then ask the registry for a newer npm inside a timed run.
env.npm_config_update_notifier = 'false';
// CDK_VALIDATION=false (as test/setup-env.ts sets it for unit tests) would skip aws-cdk-lib's built-in
// CloudFormation validation, a cost of several seconds that both synths must pay to compare fairly.
delete env.CDK_VALIDATION;

function positiveInt(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

function cleanup() {
  rmSync(TMP_DIR, { recursive: true, force: true });
}

function fail(message, output = '') {
  console.error(`bench: ${message}`);
  if (output.trim()) console.error(output.trimEnd());
  cleanup();
  process.exit(1);
}

/** Runs a command from the repo root and returns its wall-clock seconds; exits on failure. */
function timed(label, cmd, args) {
  const start = performance.now();
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = (performance.now() - start) / 1000;
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`;
    // jest reports failures on stderr and cdk prints app errors there too; keep stdout for context.
    fail(`${label} failed (${why}): ${cmd} ${args.join(' ')}`, `${r.stdout ?? ''}\n${r.stderr ?? ''}`);
  }
  return seconds;
}

function synthOnce({ key, label, extraArgs }) {
  const outDir = join('.bench', `${key}.out`);
  rmSync(join(ROOT, outDir), { recursive: true, force: true }); // untimed: every run writes a fresh assembly
  // --output keeps cdk.out untouched; --quiet skips printing the template (we only want the time).
  return timed(label, CDK, ['synth', '--quiet', '--output', outDir, ...extraArgs]);
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const fmt = (seconds) => seconds.toFixed(2);
const runsNote = (values) => (values.length > 1 ? ` (runs: ${values.map(fmt).join(', ')})` : '');
const log = (msg) => console.error(`bench: ${msg}`); // progress on stderr, so stdout is just the table

if (!existsSync(CDK)) fail(`${CDK} not found; run npm ci first`);
cleanup(); // leftovers from an interrupted run
mkdirSync(TMP_DIR, { recursive: true });

// One untimed warm-up each: fills the OS file cache and npx/ts-node/swc caches before measuring.
for (const synth of SYNTHS) {
  log(`warm-up: ${synth.label}`);
  synthOnce(synth);
}
// Interleave the timed runs so background noise on the machine hits both apps alike.
const times = Object.fromEntries(SYNTHS.map((s) => [s.key, []]));
for (let i = 1; i <= RUNS; i++) {
  for (const synth of SYNTHS) {
    log(`run ${i}/${RUNS}: ${synth.label}`);
    times[synth.key].push(synthOnce(synth));
  }
}
const testTimes = [];
for (let i = 1; i <= TEST_RUNS; i++) {
  log(`run ${i}/${TEST_RUNS}: test suite (npm test)`);
  testTimes.push(timed('test suite', 'npm', ['test', '--silent']));
}
cleanup();

const defaultS = median(times.default);
const bareS = median(times.bare);
const ratio = defaultS / bareS;
const testS = median(testTimes);
const met = (ok) => (ok ? 'yes' : 'no');
const cpus = os.cpus();

const table = [
  `Benchmark ${new Date().toISOString()}, Node ${process.version}, ${cpus.length} CPUs` +
    ` (${cpus[0]?.model?.trim() ?? 'unknown'}), ${os.platform()} ${os.arch()};` +
    ` synth: median of ${RUNS} after 1 warm-up, tests: median of ${TEST_RUNS}`,
  '',
  '| Metric | Value | Target | Met |',
  '| --- | --- | --- | --- |',
  `| ${SYNTHS[0].label} | ${fmt(defaultS)} s${runsNote(times.default)} | | |`,
  `| ${SYNTHS[1].label} | ${fmt(bareS)} s${runsNote(times.bare)} | | |`,
  `| Ratio default/bare | ${ratio.toFixed(2)} | ≤ ${RATIO_TARGET} | ${met(ratio <= RATIO_TARGET)} |`,
  `| Test suite (npm test) | ${fmt(testS)} s${runsNote(testTimes)} | < ${TEST_TARGET_S} s | ${met(testS < TEST_TARGET_S)} |`,
].join('\n');

console.log(table);
writeFileSync(join(BENCH_DIR, 'results.md'), `${table}\n`);
