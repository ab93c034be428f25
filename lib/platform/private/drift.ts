import { DriftProblemType } from '../../monitoring/drift-monitor-props';
import type { EndpointDriftOptions } from '../../monitoring/monitoring-stack-props';
import { MetricGoal } from '../../training/training-cluster-props';
import type { PlatformModel } from '../platform-config';

/**
 * A model's drift options in the platform: the data contract's features, the problem type and
 * quality metric from the metric it is registered with (auc: a binary classifier, rmse: a
 * regressor), alarmed at the registration threshold; explicit options override each. `false`
 * when the model turns drift off.
 */
export function platformDriftOptions(model: PlatformModel): EndpointDriftOptions | false {
  const explicit = model.monitoring?.drift;
  if (explicit === false) return false;
  const managed = model.training.managed;
  const metric = managed.evaluate.metric.toLowerCase();
  const known = metric === 'auc' || metric === 'rmse';
  const problemType = metric === 'rmse' || (!known && (managed.evaluate.goal ?? MetricGoal.MAXIMIZE) === MetricGoal.MINIMIZE)
    ? DriftProblemType.REGRESSION : DriftProblemType.BINARY_CLASSIFICATION;
  return {
    features: [...managed.features],
    problemType,
    quality: known ? { metric: metric as 'auc' | 'rmse', threshold: managed.evaluate.threshold } : undefined,
    ...explicit,
  };
}
