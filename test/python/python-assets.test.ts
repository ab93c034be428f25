import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { App, Stack } from 'aws-cdk-lib';
import { PYTHON, pythonReady } from './helpers-python';
import { DRIFT_JOB_SCRIPT, MODEL_STATS_SCRIPT, PYTHON_DIR, modelStatsLibrary } from '../../lib/core/python-assets';

/** The library's own Python files and the zip the drift job imports model_stats from. */
describe('python assets', () => {
  test('the paths name existing files next to each other (drift_job imports model_stats from its own directory)', () => {
    expect(fs.existsSync(MODEL_STATS_SCRIPT)).toBe(true);
    expect(fs.existsSync(DRIFT_JOB_SCRIPT)).toBe(true);
    expect(path.dirname(MODEL_STATS_SCRIPT)).toBe(PYTHON_DIR);
    expect(path.dirname(DRIFT_JOB_SCRIPT)).toBe(PYTHON_DIR);
  });

  test('no __pycache__ in lib/core/python: it would change the asset hashes and ship in the package', () => {
    expect(fs.readdirSync(PYTHON_DIR).sort()).toEqual(['drift_job.py', 'model_stats.py']);
  });

  test('modelStatsLibrary is a zip holding only model_stats.py, so `import model_stats` works from --extra-py-files', () => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'py-assets-')) });
    const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'us-east-1' } });
    const asset = modelStatsLibrary(stack, 'ModelStats');
    expect(asset.isZipArchive).toBe(true);
    const assembly = app.synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(assembly.directory, 'S.assets.json'), 'utf-8'));
    const files = (Object.values(manifest.files) as Array<{ displayName: string; source: { path: string; packaging: string }; destinations: Record<string, { objectKey: string }> }>)
      .filter((f) => f.displayName === 'ModelStats');
    expect(files).toHaveLength(1);
    expect(files[0].source.packaging).toBe('zip');
    expect(Object.values(files[0].destinations)[0].objectKey).toMatch(/\.zip$/);
    const staged = path.join(assembly.directory, files[0].source.path);
    expect(fs.readdirSync(staged)).toEqual(['model_stats.py']);

    // drift_job.py alone in a directory (as Glue runs the script) imports model_stats from a zip with
    // a hash for a name on the Python path (as --extra-py-files puts it there).
    if (!pythonReady('the zip import check')) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'glue-'));
    fs.copyFileSync(DRIFT_JOB_SCRIPT, path.join(dir, 'script_2026-12-04.py'));
    const zip = path.join(dir, Object.values(files[0].destinations)[0].objectKey);
    const make = spawnSync(PYTHON, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1], "w").write(sys.argv[2], "model_stats.py")', zip, path.join(staged, 'model_stats.py')]);
    expect(make.status).toBe(0);
    const r = spawnSync(PYTHON, ['-c', `import sys; sys.path.insert(0, ${JSON.stringify(zip)}); sys.argv = ["x", "--help"]; import runpy; runpy.run_path(${JSON.stringify(path.join(dir, 'script_2026-12-04.py'))}, run_name="__main__")`],
      { encoding: 'utf-8', env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/--endpoint_name/);
  });
});
