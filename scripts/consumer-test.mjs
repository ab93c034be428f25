#!/usr/bin/env node
// `npm run test:consumer`: proves the package works the way another team consumes it from npm.
//
// 1. Builds dist/ and packs the package with `npm pack`, then checks the tarball: only dist
//    JavaScript and declarations, the library's own Python (dist/core/python/model_stats.py and
//    drift_job.py must be there, no bytecode) plus package.json, README, LICENSE and CHANGELOG; no tests,
//    fixtures, examples, scripts, sources, cdk.out or cdktf.out; every `exports` target present.
// 2. For each aws-cdk-lib / constructs pair under test (the lower bound of the peer ranges and the
//    versions this repository develops with), creates a fresh CDK app in a temporary directory
//    outside the repository, installs the tarball with the app's own aws-cdk-lib, constructs and
//    typescript, compiles a small app that uses only the public entry point (strict, NodeNext,
//    as `cdk init` sets it up) and composes its own data, ML, serving and monitoring stacks for two
//    environments pinned to accounts and a region, synthesizes it with no AWS credentials, variables
//    or config files, fails on any context lookup it would need (the manifest's `missing`) and checks
//    each template (pinned environment, availability zones, resources). It also checks that the
//    app holds exactly one copy of aws-cdk-lib and of constructs, that the peer ranges are met
//    (`npm ls`), that cdktf is not installed, that the app never loaded the Kubernetes subpath,
//    that the Kubernetes subpath resolves and that deep imports are refused.
//
// 3. Compiles every @example block of the API reference (scripts/doc-examples.cjs) with the app.
//
// Env: CONSUMER_MATRIX=lower|current|all (default all), KEEP_CONSUMER=1 keeps the temp dirs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { readmePrograms } = createRequire(import.meta.url)('./readme-programs.cjs');
const { docExamples, packageExportNames } = createRequire(import.meta.url)('./doc-examples.cjs');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const t0 = performance.now();
const log = (msg) => console.log(`consumer-test: ${msg}`);
const seconds = (since) => ((performance.now() - since) / 1000).toFixed(1);

class Failure extends Error {}
function fail(message) {
  throw new Failure(message);
}

// Children must not inherit the npm_* variables of an enclosing `npm run` (they describe this
// repository, not the consumer app) nor NODE_PATH (it would let the app resolve modules it did
// not install). The npm cache is kept, so installs reuse what `npm ci` downloaded.
// Nor any AWS_* variable: the apps must synthesize without credentials, profile or region.
const childEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && !/^AWS_/i.test(k) && k !== 'NODE_PATH'));
childEnv.npm_config_update_notifier = 'false';
childEnv.npm_config_fund = 'false';
childEnv.npm_config_audit = 'false';
if (process.env.npm_config_cache) childEnv.npm_config_cache = process.env.npm_config_cache;

function run(cmd, args, { cwd, capture = false, env = {} } = {}) {
  const r = spawnSync(cmd, args, {
    cwd, env: { ...childEnv, ...env }, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
    stdio: capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
  });
  if (r.error) fail(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return r;
}
function runOk(cmd, args, opts = {}) {
  const r = run(cmd, args, opts);
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} exited with ${r.status}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  return r;
}

/** The lowest version a caret/tilde/plain peer range allows, e.g. "^2.263.0" -> "2.263.0". */
function lowerBound(name) {
  const range = PKG.peerDependencies?.[name];
  const m = /^[\^~]?(\d+\.\d+\.\d+)$/.exec(range ?? '');
  if (!m) fail(`peerDependencies.${name} must be a simple ^x.y.z range to derive its lower bound, got ${JSON.stringify(range)}`);
  return m[1];
}
const installedVersion = (name) => JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

// ---------------------------------------------------------------------------------------------
// Where the consumer apps live: a temp dir that is not inside this repository (.ci/run points
// TMPDIR into the clone), and with no node_modules in any parent, so that nothing can resolve from
// this repository's node_modules by walking up.

function isInside(child, parent) {
  const rel = relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && !/^[a-zA-Z]:/.test(rel));
}
function tempBase() {
  const root = realpathSync(ROOT);
  for (const candidate of [process.env.CONSUMER_TMPDIR, os.tmpdir(), '/tmp']) {
    if (!candidate || !existsSync(candidate)) continue;
    const real = realpathSync(candidate);
    if (!isInside(real, root)) return real;
  }
  return fail('no temporary directory outside the repository; set CONSUMER_TMPDIR');
}
function assertIsolated(dir) {
  for (let d = dirname(dir); ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) fail(`${d}/node_modules exists above the consumer app ${dir}: modules could resolve from it`);
    if (dirname(d) === d) return;
  }
}

// ---------------------------------------------------------------------------------------------
// Step 1: build, pack, inspect the tarball.

// The library's own Python (lib/core/python: the drift job and model_stats) ships as .py next to the JavaScript.
const ALLOWED_FILES = [/^package\.json$/, /^README\.md$/, /^LICENSE$/, /^CHANGELOG\.md$/, /^dist\/.+\.js$/, /^dist\/.+\.d\.ts$/, /^dist\/.+\.py$/];
/** Files the constructs read at synth time (asset paths resolved from __dirname): missing, synth fails for consumers. */
const REQUIRED_FILES = ['dist/core/python/model_stats.py', 'dist/core/python/drift_job.py'];
const FORBIDDEN = [
  [/(^|\/)test\//, 'tests'], [/(^|\/)examples\//, 'examples'], [/(^|\/)scripts\//, 'scripts'],
  [/(^|\/)bin\//, 'the repository app'], [/(^|\/)lib\//, 'TypeScript sources'], [/(^|\/)\.ci\//, 'CI files'],
  [/(^|\/)cdk\.out(\.[^/]+)?\//, 'a cloud assembly'], [/(^|\/)cdktf\.out\//, 'a cdktf output'],
  [/(^|\/)__snapshots__\//, 'snapshots'], [/fixture/i, 'fixtures'], [/\.test\.|\.spec\./, 'a test file'],
  [/(?<!\.d)\.ts$/, 'a TypeScript source'], [/\.tgz$/, 'a tarball'], [/(^|\/)docs\//, 'generated docs'],
  [/(^|\/)(cdk|cdk\.context)\.json$/, 'CDK app settings'],
];

function exportTargets(pkg) {
  const out = new Set([pkg.main, pkg.types]);
  const visit = (v) => {
    if (typeof v === 'string') out.add(v);
    else if (v && typeof v === 'object') Object.values(v).forEach(visit);
  };
  visit(pkg.exports);
  for (const paths of Object.values(pkg.typesVersions ?? {})) Object.values(paths).flat().forEach(visit);
  return [...out].filter(Boolean).map((p) => p.replace(/^\.\//, ''));
}

function packAndInspect(workDir) {
  let since = performance.now();
  runOk('npm', ['run', '--silent', 'build'], { cwd: ROOT });
  log(`built dist/ in ${seconds(since)} s`);
  since = performance.now();
  // The build just ran, so skip prepack's second build.
  const packed = JSON.parse(runOk('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', workDir], { cwd: ROOT, capture: true }).stdout)[0];
  const tarball = join(workDir, packed.filename);
  // The tarball itself is the truth, not npm's report of what it meant to pack.
  const files = runOk('tar', ['-tzf', tarball], { capture: true }).stdout.split('\n').filter(Boolean)
    .map((f) => f.replace(/^package\//, '')).filter((f) => !f.endsWith('/'));
  const problems = [];
  for (const f of files) {
    for (const [re, what] of FORBIDDEN) if (re.test(f)) problems.push(`${f}: ${what} must not be published`);
    if (!ALLOWED_FILES.some((re) => re.test(f))) problems.push(`${f}: not in the allow-list of published files`);
  }
  const manifest = JSON.parse(runOk('tar', ['-xzOf', tarball, 'package/package.json'], { capture: true }).stdout);
  for (const target of exportTargets(manifest)) if (!files.includes(target)) problems.push(`${target}: named in package.json but missing from the tarball`);
  for (const required of ['README.md', 'LICENSE', 'CHANGELOG.md', ...REQUIRED_FILES]) if (!files.includes(required)) problems.push(`${required}: missing from the tarball`);
  for (const f of files) if (/__pycache__|\.pyc$/.test(f)) problems.push(`${f}: Python bytecode must not be published`);
  for (const name of ['aws-cdk-lib', 'constructs']) {
    if (manifest.dependencies?.[name]) problems.push(`${name} is a regular dependency: it must be a peer dependency, or consumers get two copies`);
    if (!manifest.peerDependencies?.[name]) problems.push(`${name} is not a peer dependency`);
  }
  for (const name of Object.keys(manifest.dependencies ?? {})) if (/^(@cdktf\/|cdktf$)/.test(name)) problems.push(`${name} is a regular dependency: cdktf must be an optional peer dependency`);
  if (problems.length) fail(`the packed tarball is wrong:\n  - ${problems.join('\n  - ')}`);
  log(`packed ${packed.filename}: ${files.length} files, ${(packed.size / 1024).toFixed(1)} kB packed, ${(packed.unpackedSize / 1024).toFixed(1)} kB unpacked (${seconds(since)} s)`);
  return { tarball, files, size: packed.size };
}

// ---------------------------------------------------------------------------------------------
// Step 2: a fresh consumer app per version pair.

const APP_TS = `// A consumer's CDK app: it imports the library only from the package root, composes its own stacks
// (no buildPlatform, no PlatformStage) and pins each environment to an account and region.
import { App, Duration, Environment, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ApprovedVersionParameter, ColumnType, DataLakehouse, EnvironmentProfile, EtlPipeline, IDataLakehouse, InferenceEndpoint,
  LakehouseZone, ModelRegistry, ModelSource, MonitoringStack, Profiles, PromotionWorkflow, RetrainTrigger, TableFormat,
  TrainingCluster, applyPlatform,
} from '${PKG.name}';

const STAGING = { account: '111111111111', region: 'eu-west-1' };
const PROD = { account: '222222222222', region: 'eu-west-1' };
const STAGING_ZONES = ['eu-west-1a', 'eu-west-1b'];
const PROD_ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
// A pinned stack reads its zones from context (ec2.Vpc checks given zones against the stack's, even
// with the constructs' \`availabilityZones\`): given here as a committed cdk.context.json would give
// them, so synth makes no lookup and needs no credentials.
const app = new App({
  outdir: process.argv[2],
  context: {
    [\`availability-zones:account=\${STAGING.account}:region=\${STAGING.region}\`]: STAGING_ZONES,
    [\`availability-zones:account=\${PROD.account}:region=\${PROD.region}\`]: PROD_ZONES,
  },
});
const features = ['tenure', 'monthly_charges'];
const samples = [{ name: 'id', type: ColumnType.STRING }, ...features.map((name) => ({ name, type: ColumnType.DOUBLE })), { name: 'label', type: ColumnType.DOUBLE }];

function environment(name: string, profile: EnvironmentProfile, env: Required<Environment>, availabilityZones: string[]): void {
  const stack = (kind: string) => {
    const s = new Stack(app, \`consumer-\${name}-\${kind}\`, { env });
    applyPlatform(s, { project: 'consumer', profile, owner: 'ml-platform', costCentre: 'cc-0001' });
    return s;
  };
  const data = stack('data');
  const lake: IDataLakehouse = new DataLakehouse(data, 'Lakehouse', {
    tables: [
      { name: 'events', zone: LakehouseZone.RAW, columns: samples, partitionKeys: [{ name: 'day', type: ColumnType.DATE }] },
      { name: 'training_samples', zone: LakehouseZone.CURATED, format: TableFormat.ICEBERG, columns: samples, partitionKeys: [{ name: 'day', type: ColumnType.DATE }] },
    ],
  });
  const analyst = new iam.Role(data, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
  lake.grantRead(analyst, LakehouseZone.CURATED);
  const curate = new EtlPipeline(data, 'Curate', {
    lakehouse: lake,
    batch: {
      script: 'glue/curate_events.py', schedule: 'cron(0 2 * * ? *)',
      source: { zone: LakehouseZone.RAW, table: 'events' }, target: { zone: LakehouseZone.CURATED, table: 'training_samples' },
      dataQuality: { ruleset: 'Rules = [ RowCount > 0, IsComplete "id" ]' },
    },
  });

  const ml = stack('ml');
  const registry = new ModelRegistry(ml, 'Registry', { models: [{ name: 'churn' }] });
  const training = new TrainingCluster(ml, 'Training', {
    lakehouse: lake, registry, model: 'churn', availabilityZones,
    triggers: [RetrainTrigger.onEtlSuccess(curate)],
    managed: {
      source: { zone: LakehouseZone.CURATED, table: 'training_samples' }, features, label: 'label', sampleId: 'id',
      prepare: { script: 'prepare.py' },
      training: { maxRuntime: Duration.hours(2) },
      evaluate: { script: 'evaluate.py', metric: 'auc', threshold: 0.8 },
    },
  });
  new ApprovedVersionParameter(ml, 'ChurnApprovedVersion', { model: 'churn' });

  const serving = stack('serving');
  serving.addStackDependency(ml);
  const endpoint = new InferenceEndpoint(serving, 'Churn', {
    model: ModelSource.fromRegistry(registry, 'churn'), availabilityZones,
    dataCapture: { lakehouse: lake, samplingPercentage: 20 },
  });
  new PromotionWorkflow(ml, 'Promotion', { registry, model: 'churn', stages: [{ name, stackName: serving.stackName }] });

  new MonitoringStack(app, \`consumer-\${name}-monitoring\`, {
    env, lakehouse: lake, pipelines: [curate], trainingClusters: [training], registries: [registry],
    endpoints: [{ endpoint, registry, model: 'churn', retrain: training, drift: { quality: { threshold: 0.8 } } }],
  });
}

environment('staging', Profiles.STAGING, STAGING, STAGING_ZONES);
environment('prod', Profiles.PROD, PROD, PROD_ZONES);

const assembly = app.synth();
console.log('synthesized ' + assembly.stacks.map((s) => s.templateFile).join(', '));
`;

/**
 * The app's two environments: each stack's account and region, the zones its VPCs must use, and what
 * each of its templates must hold at least.
 */
const ENVIRONMENTS = {
  staging: { env: 'aws://111111111111/eu-west-1', zones: ['eu-west-1a', 'eu-west-1b'] },
  prod: { env: 'aws://222222222222/eu-west-1', zones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] },
};
const EXPECTED_STACKS = {
  data: {
    'AWS::Glue::Database': 3, 'AWS::Glue::Table': 2, 'AWS::S3::Bucket': 4, 'AWS::KMS::Key': 1, 'AWS::Athena::WorkGroup': 1,
    'AWS::IAM::Role': 1, 'AWS::IAM::Policy': 1, 'AWS::Glue::Job': 1, 'AWS::StepFunctions::StateMachine': 1,
  },
  ml: { 'AWS::SageMaker::ModelPackageGroup': 1, 'AWS::StepFunctions::StateMachine': 2, 'AWS::EC2::Subnet': 2 },
  serving: { 'AWS::SageMaker::Endpoint': 1, 'AWS::EC2::Subnet': 2 },
  monitoring: { 'AWS::CloudWatch::Dashboard': 1, 'AWS::CloudWatch::CompositeAlarm': 1, 'AWS::Glue::Job': 1, 'AWS::Glue::Trigger': 1 },
};

// Type-checked, never run: the Kubernetes subpath resolves through the exports map, and a deep
// import into dist/ is refused (if it ever resolved, the @ts-expect-error would fail the build).
const SUBPATHS_TS = `export * from '${PKG.name}/kubernetes';
// @ts-expect-error deep imports are not part of the public API
export type * as Deep from '${PKG.name}/dist/lakehouse/private/validate';
`;

// Preloaded into the app: fails the run if the app loaded the Kubernetes layer or cdktf, or if the
// library or aws-cdk-lib came from anywhere but the app's own node_modules.
const GUARD_CJS = `const path = require('path');
const own = path.join(__dirname, 'node_modules') + path.sep;
process.on('exit', () => {
  const loaded = Object.keys(require.cache);
  const problems = [];
  const bad = loaded.filter((f) => /[\\\\/](cdktf|@cdktf)[\\\\/]|[\\\\/]dist[\\\\/]kubernetes[\\\\/]/.test(f));
  if (bad.length) problems.push('loaded the Kubernetes layer or cdktf: ' + bad.join(', '));
  for (const pkg of [${JSON.stringify(PKG.name)}, 'aws-cdk-lib', 'constructs']) {
    const files = loaded.filter((f) => f.includes(path.sep + ['node_modules', ...pkg.split('/')].join(path.sep) + path.sep));
    if (!files.length) problems.push(pkg + ' was never loaded');
    const foreign = files.filter((f) => !f.startsWith(own));
    if (foreign.length) problems.push(pkg + ' loaded from outside the app: ' + foreign[0]);
  }
  if (problems.length) { console.error('guard: ' + problems.join('; ')); process.exitCode = 1; }
});
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['es2022'],
    strict: true, noImplicitReturns: true, isolatedModules: true, skipLibCheck: true,
    types: ['node'], outDir: 'build', rootDir: '.',
  },
  include: ['app.ts', 'subpaths.ts'],
};

/** Every installed copy of the named packages, found by walking node_modules (nested ones too). */
function installedCopies(nodeModules, names) {
  const found = Object.fromEntries(names.map((n) => [n, []]));
  const visit = (dir) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir)) {
      if (entry.startsWith('.')) continue;
      const scoped = entry.startsWith('@');
      const pkgDirs = scoped ? readdirSync(join(dir, entry)).map((e) => join(dir, entry, e)) : [join(dir, entry)];
      for (const pkgDir of pkgDirs) {
        const name = relative(dir, pkgDir).split(sep).join('/');
        if (name in found && existsSync(join(pkgDir, 'package.json'))) {
          found[name].push({ dir: pkgDir, version: JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version });
        }
        if (statSync(pkgDir).isDirectory()) visit(join(pkgDir, 'node_modules'));
      }
    }
  };
  visit(nodeModules);
  return found;
}

/**
 * What in a cloud assembly (and its nested stage assemblies) shows that synth needed AWS: context
 * lookups the CLI would have to make with credentials (the manifest's `missing`), and the
 * placeholder zones CDK uses until such a lookup is answered.
 */
function checkAssembly(outdir, label) {
  const problems = [];
  const visit = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name === 'manifest.json') {
        for (const m of JSON.parse(readFileSync(path, 'utf8')).missing ?? []) {
          problems.push(`${label} needs a context lookup (credentials) in ${relative(outdir, path)}: ${m.key}`);
        }
      } else if (entry.name.endsWith('.template.json') && /"dummy1[abc]"/.test(readFileSync(path, 'utf8'))) {
        problems.push(`${label}: ${relative(outdir, path)} holds placeholder availability zones (dummy1a...)`);
      }
    }
  };
  if (existsSync(outdir)) visit(outdir);
  return problems;
}

function consumerRun(variant, base, tarball) {
  const started = performance.now();
  const dir = mkdtempSync(join(base, `consumer-${variant.key}-`));
  try {
    assertIsolated(dir);
    checkConsumer(variant, dir, tarball);
  } catch (e) {
    if (e instanceof Failure && !process.env.KEEP_CONSUMER) e.message += '\n  (set KEEP_CONSUMER=1 to keep the app for a look)';
    throw e;
  } finally {
    if (!process.env.KEEP_CONSUMER) rmSync(dir, { recursive: true, force: true });
  }
  const secs = seconds(started);
  log(`[${variant.key}] passed in ${secs} s`);
  return secs;
}

function checkConsumer(variant, dir, tarball) {
  log(`[${variant.key}] app in ${dir}: aws-cdk-lib@${variant.cdk}, constructs@${variant.constructs}`);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'consumer-app', version: '0.0.0', private: true }, null, 2)}\n`);

  let since = performance.now();
  runOk('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error',
    tarball, `aws-cdk-lib@${variant.cdk}`, `constructs@${variant.constructs}`,
    `typescript@${installedVersion('typescript')}`, `@types/node@${installedVersion('@types/node')}`], { cwd: dir });
  log(`[${variant.key}] npm install: ${seconds(since)} s`);

  const problems = [];
  const nm = join(dir, 'node_modules');
  // Exactly one copy of each, at the top, at the version the app asked for.
  const copies = installedCopies(nm, ['aws-cdk-lib', 'constructs', 'cdktf']);
  for (const [name, want] of [['aws-cdk-lib', variant.cdk], ['constructs', variant.constructs]]) {
    const list = copies[name];
    if (list.length !== 1) problems.push(`${list.length} copies of ${name}: ${list.map((c) => `${relative(dir, c.dir)}@${c.version}`).join(', ') || 'none'}`);
    else if (list[0].version !== want) problems.push(`${name} is ${list[0].version}, expected ${want}`);
  }
  if (copies.cdktf.length || existsSync(join(nm, '@cdktf'))) problems.push('cdktf is installed, though the app does not use the Kubernetes subpath');
  // npm ls exits non-zero on a missing or invalid (out-of-range) peer dependency.
  const ls = run('npm', ['ls', '--all', '--json', 'aws-cdk-lib', 'constructs'], { cwd: dir, capture: true });
  if (ls.status !== 0) problems.push(`npm ls reports a problem (peer ranges not met?):\n${ls.stdout}${ls.stderr}`);
  const seen = new Set();
  const walk = (deps) => Object.entries(deps ?? {}).forEach(([name, d]) => {
    if (name === 'aws-cdk-lib' || name === 'constructs') seen.add(`${name}@${d.version}`);
    walk(d.dependencies);
  });
  walk(JSON.parse(ls.stdout || '{}').dependencies);
  if (seen.size !== 2) problems.push(`npm ls shows ${[...seen].join(', ')}: expected one version each of aws-cdk-lib and constructs`);

  // Runtime resolution of the exports map.
  const resolveCheck = `
    const ok = require.resolve(${JSON.stringify(`${PKG.name}/kubernetes`)});
    let refused = false;
    try { require.resolve(${JSON.stringify(`${PKG.name}/dist/lakehouse/private/validate.js`)}); } catch (e) { refused = e.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED'; }
    if (!refused) { console.error('a deep import into dist/ resolved'); process.exit(1); }
    console.log(ok);`;
  if (run(process.execPath, ['-e', resolveCheck], { cwd: dir, capture: true }).status !== 0) problems.push('exports map: the kubernetes subpath must resolve and deep imports must be refused');

  // The README's programs, in README order, compiled and synthesized like the app (current versions only:
  // the README documents the versions this repository develops with).
  const readme = variant.key === 'current' ? readmePrograms(readFileSync(join(ROOT, 'README.md'), 'utf8')) : [];
  readme.forEach((p, i) => writeFileSync(join(dir, `readme-${i + 1}.ts`), p.source));
  // The user scripts the README's constructs upload as assets.
  for (const script of ['glue/curate_events.py', 'training/prepare.py', 'training/evaluate.py']) {
    mkdirSync(join(dir, dirname(script)), { recursive: true });
    writeFileSync(join(dir, script), '# placeholder\n');
  }
  // The API reference's @example blocks, compiled (not run: they are fragments over declared names)
  // strict against the packed library; a tsc error names the example file, whose first line names the source.
  const examples = variant.key === 'current' ? docExamples(ROOT, packageExportNames(ROOT), PKG.name) : [];
  mkdirSync(join(dir, 'examples'), { recursive: true });
  examples.forEach((e, i) => writeFileSync(join(dir, 'examples', `example-${i + 1}.ts`), e.source));
  if (examples.length) log(`[${variant.key}] ${examples.length} @example blocks of the API reference compiled with the app`);
  const tsconfig = { ...TSCONFIG, include: [...TSCONFIG.include, ...readme.map((_, i) => `readme-${i + 1}.ts`), ...(examples.length ? ['examples/*.ts'] : [])] };
  writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
  writeFileSync(join(dir, 'app.ts'), APP_TS);
  writeFileSync(join(dir, 'subpaths.ts'), SUBPATHS_TS);
  writeFileSync(join(dir, 'guard.cjs'), GUARD_CJS);
  for (const script of ['prepare.py', 'evaluate.py']) writeFileSync(join(dir, script), '# placeholder\n');
  since = performance.now();
  runOk(process.execPath, [join(nm, 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: dir });
  log(`[${variant.key}] tsc (strict, NodeNext): ${seconds(since)} s`);

  since = performance.now();
  const outdir = join(dir, 'cdk.out');
  // No credentials anywhere: no AWS_* variables (childEnv), no config or credentials file, no instance metadata.
  const noCredentials = {
    AWS_CONFIG_FILE: join(dir, 'no-aws-config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'no-aws-credentials'), AWS_EC2_METADATA_DISABLED: 'true',
  };
  runOk(process.execPath, ['--require', './guard.cjs', join('build', 'app.js'), outdir], { cwd: dir, env: noCredentials });
  log(`[${variant.key}] synth: ${seconds(since)} s`);
  readme.forEach((p, i) => {
    const out = join(dir, `readme-${i + 1}.out`);
    const r = run(process.execPath, ['--require', './guard.cjs', join('build', `readme-${i + 1}.js`)], { cwd: dir, capture: true, env: { ...noCredentials, CDK_OUTDIR: out } });
    const manifest = existsSync(join(out, 'manifest.json')) ? JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) : undefined;
    const stacks = manifest ? Object.values(manifest.artifacts ?? {}).filter((a) => a.type === 'aws:cloudformation:stack' || a.type === 'cdk:cloud-assembly').length : 0;
    if (r.status !== 0 || stacks === 0) problems.push(`README ${p.name} (from line ${p.line}) did not synthesize:\n${r.stdout}${r.stderr}`);
    else {
      problems.push(...checkAssembly(out, `README ${p.name}`));
      log(`[${variant.key}] README ${p.name}: synthesized ${stacks} stacks/stages`);
    }
  });
  problems.push(...checkAssembly(outdir, 'the app'));
  if (existsSync(join(dir, 'cdk.context.json'))) problems.push('cdk.context.json was written: a context lookup ran');
  const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
  for (const [name, { env, zones }] of Object.entries(ENVIRONMENTS)) {
    for (const [kind, expected] of Object.entries(EXPECTED_STACKS)) {
      const stackName = `consumer-${name}-${kind}`;
      const artifact = manifest.artifacts?.[stackName];
      if (artifact?.type !== 'aws:cloudformation:stack') {
        problems.push(`no stack ${stackName} in the app's assembly`);
        continue;
      }
      if (artifact.environment !== env) problems.push(`${stackName} is pinned to ${artifact.environment}, expected ${env}`);
      const resources = Object.values(JSON.parse(readFileSync(join(outdir, artifact.properties.templateFile), 'utf8')).Resources ?? {});
      for (const [type, want] of Object.entries(expected)) {
        const got = resources.filter((r) => r.Type === type).length;
        if (got < want) problems.push(`${stackName} has ${got} ${type}, expected at least ${want}`);
      }
      const used = [...new Set(resources.filter((r) => r.Type === 'AWS::EC2::Subnet').map((r) => r.Properties?.AvailabilityZone))].sort();
      if (used.some((az) => !zones.includes(az))) problems.push(`${stackName} places subnets in ${used.join(', ')}: expected only ${zones.join(', ')}`);
    }
  }
  if (problems.length) fail(`[${variant.key}] consumer app in ${dir} failed:\n  - ${problems.join('\n  - ')}`);
}

// ---------------------------------------------------------------------------------------------

const VARIANTS = [
  { key: 'lower', label: 'lower bound of the peer ranges', cdk: lowerBound('aws-cdk-lib'), constructs: lowerBound('constructs') },
  { key: 'current', label: 'versions this repository develops with', cdk: installedVersion('aws-cdk-lib'), constructs: installedVersion('constructs') },
];
const matrix = process.env.CONSUMER_MATRIX ?? 'all';
const selected = VARIANTS.filter((v) => matrix === 'all' || matrix === v.key);
if (!selected.length) {
  console.error(`consumer-test: CONSUMER_MATRIX must be lower, current or all, got "${matrix}"`);
  process.exit(1);
}

const base = tempBase();
const workDir = mkdtempSync(join(base, 'consumer-pack-'));
let failed = false;
try {
  mkdirSync(workDir, { recursive: true });
  const { tarball, files, size } = packAndInspect(workDir);
  const results = selected.map((v) => ({ ...v, secs: consumerRun(v, base, tarball) }));
  console.log(`\nconsumer-test passed in ${seconds(t0)} s: ${files.length} files, ${(size / 1024).toFixed(1)} kB tarball`);
  for (const r of results) console.log(`  ${r.key.padEnd(8)} aws-cdk-lib@${r.cdk} constructs@${r.constructs} (${r.label}): ${r.secs} s`);
} catch (e) {
  failed = true;
  console.error(`\nconsumer-test FAILED: ${e instanceof Failure ? e.message : e.stack}`);
} finally {
  if (!process.env.KEEP_CONSUMER) rmSync(workDir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
