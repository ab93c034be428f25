import * as path from 'path';

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
