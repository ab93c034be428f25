/**
 * The one definition of the metrics the platform's own drift and model-quality job publishes.
 * The job receives it as its `--metric_spec` argument (JSON), and every alarm, widget and
 * `metric*` method builds its metrics from it, so they cannot disagree on a name or a dimension.
 */
export const DRIFT_METRIC_SPEC = {
  /** CloudWatch namespace of every metric below. */
  namespace: 'MLOpsPlatform/ModelMonitoring',
  dimensions: {
    /** The endpoint name (every metric). */
    endpoint: 'EndpointName',
    /** The feature name (per-feature drift only). */
    feature: 'Feature',
    /** The quality metric's name, e.g. `auc` or `rmse` (model quality only). */
    qualityMetric: 'Metric',
  },
  metrics: {
    /** Drift of one feature against the served version's baseline (population stability index). Dimensions: endpoint, feature. */
    featureDrift: 'FeatureDrift',
    /** The largest feature drift of the window. Dimensions: endpoint. */
    maxDrift: 'MaxFeatureDrift',
    /** Captured records decoded in the window. Dimensions: endpoint. */
    capturedRecords: 'CapturedRecords',
    /** 1 when the window held fewer captured records than the minimum (no drift is published then), else 0. Dimensions: endpoint. */
    insufficientData: 'InsufficientCapturedData',
    /** The registered quality metric on ground truth joined with captured predictions. Dimensions: endpoint, qualityMetric. */
    modelQuality: 'ModelQuality',
    /** Captured predictions joined with ground truth in the window. Dimensions: endpoint. */
    groundTruthSamples: 'GroundTruthSamples',
  },
} as const;

/** The shape of {@link DRIFT_METRIC_SPEC}. */
export type DriftMetricSpec = typeof DRIFT_METRIC_SPEC;
