import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { AlarmThresholds } from '../../core/environment';
import type { IModelRegistry } from '../../registry/model-registry';
import type { ITrainingCluster } from '../../training/training-cluster';
import { AlarmFactory } from './alarm-factory';
import { graph, heading } from './widgets';

/**
 * Alarms and dashboard rows for training and the registry: failed and over-long retraining runs,
 * rejected model versions; runs, durations, approvals and rejections on the dashboard.
 */
export function watchMl(scope: Construct, alarms: AlarmFactory, t: AlarmThresholds,
  trainings: readonly ITrainingCluster[], registries: readonly IModelRegistry[]): cloudwatch.IWidget[][] {
  const rows: cloudwatch.IWidget[][] = [];
  if (trainings.length + registries.length > 0) rows.push([heading('Training and registry: runs, durations, approvals')]);
  for (const c of trainings) {
    if (!c.stateMachine) continue; // the cluster engine runs teams' own trainers; nothing to count here
    const label = c.node.id;
    const failed = c.metricRunsFailed();
    const runTime = c.metricRunTime();
    alarms.alarm(scope, `${label}FailedRuns`, {
      metric: failed, threshold: t.trainingFailedRuns, above: true, evaluationPeriods: 1, notify: true,
      description: `Training ${c.node.path}: ${t.trainingFailedRuns} or more failed retraining runs (a model below its threshold included) in 5 minutes`,
    });
    alarms.alarm(scope, `${label}RunTime`, {
      metric: runTime, threshold: t.trainingMaxRunTime.toMilliseconds(), above: true, evaluationPeriods: 1, notify: true,
      description: `Training ${c.node.path}: retraining runs took ${t.trainingMaxRunTime.toHumanString()} or more`,
    });
    rows.push([
      graph(`${label}: retraining runs`, [c.metricRunsSucceeded({ label: 'succeeded (registered)' }), failed.with({ label: 'failed' })]),
      graph(`${label}: run time (ms)`, [runTime]),
    ]);
  }
  for (const r of registries) {
    const label = r.node.id;
    const rejections = r.metricRejections();
    alarms.alarm(scope, `${label}Rejections`, {
      metric: rejections, threshold: t.registryRejections, above: true, evaluationPeriods: 1, notify: true,
      description: `Registry ${r.node.path}: ${t.registryRejections} or more model versions rejected`,
    });
    rows.push([graph(`${label}: approvals`, [r.metricApprovals({ label: 'approved' }), rejections.with({ label: 'rejected' })])]);
  }
  return rows;
}
