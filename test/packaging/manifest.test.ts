import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// The package.json contract with consumers. The packed tarball itself is checked by
// scripts/consumer-test.mjs (npm run test:consumer), which installs it into a fresh app.
const ROOT = path.join(__dirname, '..', '..');
interface Manifest {
  name: string; license: string; main: string; types: string;
  exports: Record<string, unknown>; files: string[]; engines: Record<string, string>;
  dependencies?: Record<string, string>; devDependencies: Record<string, string>;
  peerDependencies: Record<string, string>; peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}
const PKG = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Manifest;
const BUILD = JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.build.json'), 'utf8')
  .replace(/^\s*\/\/.*$/gm, '')) as { include: string[]; compilerOptions: { rootDir: string; outDir: string; declaration: boolean } };

/** "^2.269.0" / "~10.7.2" -> [2, 269, 0]. */
function floor(range: string): number[] {
  const m = /^[\^~]?(\d+)\.(\d+)\.(\d+)$/.exec(range);
  if (!m) throw new Error(`not a simple range: ${range}`);
  return m.slice(1).map(Number);
}
const atLeast = (a: number[], b: number[]) => a[0] > b[0] || (a[0] === b[0] && (a[1] > b[1] || (a[1] === b[1] && a[2] >= b[2])));

describe('package.json', () => {
  test('points main, types and exports at the built dist/ and exposes no deep paths', () => {
    expect(PKG.main).toBe('dist/index.js');
    expect(PKG.types).toBe('dist/index.d.ts');
    expect(Object.keys(PKG.exports).sort()).toEqual(['.', './kubernetes', './package.json']);
    expect(PKG.exports['.']).toEqual({ types: './dist/index.d.ts', default: './dist/index.js' });
  });

  test('publishes only the build output and the changelog (npm adds package.json, README and LICENSE)', () => {
    expect(PKG.files).toEqual(['dist/**/*.js', 'dist/**/*.d.ts', 'dist/**/*.py', 'CHANGELOG.md']);
    expect(BUILD.include).toEqual(['lib/**/*.ts']);
    expect(BUILD.compilerOptions).toMatchObject({ rootDir: 'lib', outDir: 'dist', declaration: true });
  });

  test('the build copies lib/**/*.py and lib/**/*.js into dist/ at the same relative paths (the library\'s own Python and the MLflow logger handler)', () => {
    const scripts = (PKG as unknown as { scripts: Record<string, string> }).scripts;
    expect(scripts.build).toMatch(/&& npm run build:assets$/);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'build-python-'));
    fs.mkdirSync(path.join(tmp, 'lib', 'core', 'python', '__pycache__'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'lib', 'core', 'python', 'model_stats.py'), '# stats\n');
    fs.writeFileSync(path.join(tmp, 'lib', 'core', 'python', '__pycache__', 'model_stats.cpython-311.pyc'), '');
    fs.writeFileSync(path.join(tmp, 'lib', 'core', 'index.ts'), 'export {};\n');
    fs.mkdirSync(path.join(tmp, 'lib', 'training', 'private', 'mlflow-logger'), { recursive: true });
    fs.writeFileSync(path.join(tmp, 'lib', 'training', 'private', 'mlflow-logger', 'index.js'), '// handler\n');
    const command = /^node -e "(.*)"$/s.exec(scripts['build:assets'])![1];
    const r = spawnSync(process.execPath, ['-e', command], { cwd: tmp, encoding: 'utf-8' });
    expect(r.stderr).toBe('');
    expect(fs.readFileSync(path.join(tmp, 'dist', 'core', 'python', 'model_stats.py'), 'utf-8')).toBe('# stats\n');
    expect(fs.readdirSync(path.join(tmp, 'dist', 'core'))).toEqual(['python']);
    expect(fs.readdirSync(path.join(tmp, 'dist', 'core', 'python'))).toEqual(['model_stats.py']);
    // The handler ships as it is (lib/training/private/mlflow-logging.ts points the Lambda asset at its directory).
    expect(fs.readFileSync(path.join(tmp, 'dist', 'training', 'private', 'mlflow-logger', 'index.js'), 'utf-8')).toBe('// handler\n');
    expect(fs.readdirSync(path.join(tmp, 'dist', 'training', 'private', 'mlflow-logger'))).toEqual(['index.js']);
  });

  test('declares a license with its text, and the supported Node versions', () => {
    expect(PKG.license).toBe('Apache-2.0');
    expect(fs.readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/Apache License\s+Version 2\.0, January 2004/);
    expect(PKG.engines.node).toBe('>=20');
  });

  test.each(['aws-cdk-lib', 'constructs'])('%s is a peer and dev dependency, never a regular one', (name) => {
    expect(PKG.dependencies?.[name]).toBeUndefined();
    expect(PKG.peerDependencies[name]).toMatch(/^\^\d+\.\d+\.\d+$/);
    // What this repository develops and tests with must lie inside the range it promises.
    expect(atLeast(floor(PKG.devDependencies[name]), floor(PKG.peerDependencies[name]))).toBe(true);
    expect(floor(PKG.devDependencies[name])[0]).toBe(floor(PKG.peerDependencies[name])[0]);
  });

  test('cdktf and its providers, if declared, are optional peer dependencies only', () => {
    const isCdktf = (n: string) => n === 'cdktf' || n.startsWith('@cdktf/');
    expect(Object.keys(PKG.dependencies ?? {}).filter(isCdktf)).toEqual([]);
    for (const name of Object.keys(PKG.peerDependencies).filter(isCdktf)) {
      expect(PKG.peerDependenciesMeta?.[name]?.optional).toBe(true);
    }
  });
});
