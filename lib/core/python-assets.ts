import * as path from 'path';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

/**
 * Python the library itself runs (not user scripts), shipped with the package next to the
 * compiled JavaScript (`npm run build` copies `lib/**\/*.py` into `dist/`).
 *
 * - `model_stats.py`: the statistics of the data contract: per-feature baselines of a training
 *   split, population stability index, decoding of SageMaker data-capture records, model quality
 *   on ground truth. Pure functions over numpy/pandas, plus a `baseline` command line that the
 *   retraining workflow runs after Prepare.
 * - `drift_job.py`: the scheduled drift and model-quality job (a Glue 5.0 Python job): reads the
 *   served version's baseline and the window's captured data, writes a report to the lakehouse and
 *   publishes the metrics of `DRIFT_METRIC_SPEC`.
 */
export const PYTHON_DIR = path.join(__dirname, 'python');

/** `model_stats.py`: statistics of the data contract (and the `baseline` command line). */
export const MODEL_STATS_SCRIPT = path.join(PYTHON_DIR, 'model_stats.py');

/** `drift_job.py`: the scheduled drift and model-quality job. */
export const DRIFT_JOB_SCRIPT = path.join(PYTHON_DIR, 'drift_job.py');

/**
 * `model_stats.py` as a Python library for the drift job's `--extra-py-files` (Glue): a zip asset
 * holding only `model_stats.py` at its root.
 *
 * Why a zip and not the file asset: a file asset is stored as `<hash>.py`, and Glue adds each
 * `--extra-py-files` entry to the Python path under its S3 object's name ("Using Python libraries
 * with AWS Glue", AWS Glue developer guide: `--extra-py-files` takes S3 paths of .py or .zip files
 * added to the Python path before the script runs), so `import model_stats` would find no
 * `model_stats` module. A zip on the path is searched by Python's zipimport whatever the archive is
 * called, so the module inside keeps its name. `drift_job.py` itself is the job's script (`--scriptLocation`
 * / `Command.ScriptLocation`), whose file name does not matter.
 */
export function modelStatsLibrary(scope: Construct, id: string): s3assets.Asset {
  return new s3assets.Asset(scope, id, { path: PYTHON_DIR, exclude: ['*', '!model_stats.py'] });
}
