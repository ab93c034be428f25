/**
 * Quickstart: all six constructs in one file, for one environment. New curated data retrains the
 * churn model, an approved version is served behind a canary rollout, and the platform's drift job
 * (a scheduled Glue job on the captured requests) retrains it again when a feature drifts or AUC on
 * ground truth drops below the registration threshold. For several environments use `buildPlatform` (examples/multi-environment.ts).
 *
 * Run it with: npx cdk synth --app "npx ts-node --swc examples/quickstart.ts"
 */
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import {
  ColumnType, DataLakehouse, EtlPipeline, InferenceEndpoint, LakehouseZone, ModelRegistry, ModelSource, MonitoringStack,
  Profiles, PromotionWorkflow, RetrainTrigger, TrainingCluster, applyPlatform,
} from '../lib';

export function buildQuickstart(app: App = new App()): { ml: Stack; monitoring: MonitoringStack } {
  applyPlatform(app, { project: 'quick', profile: Profiles.DEV, owner: 'ml-team', costCentre: 'cc-1' });
  const ml = new Stack(app, 'quick-dev-ml');
  const columns = [
    { name: 'customer_id', type: ColumnType.STRING },
    { name: 'tenure', type: ColumnType.INT },
    { name: 'label', type: ColumnType.DOUBLE },
  ];
  const day = [{ name: 'dt', type: ColumnType.STRING }];
  const lakehouse = new DataLakehouse(ml, 'Lakehouse', {
    tables: [
      { name: 'customers', zone: LakehouseZone.RAW, columns, partitionKeys: day },
      { name: 'customers_clean', zone: LakehouseZone.CURATED, columns, partitionKeys: day },
    ],
  });
  const curate = new EtlPipeline(ml, 'Curate', {
    lakehouse,
    batch: {
      script: path.join(__dirname, '..', 'bin', 'glue', 'curate_events.py'),
      source: { zone: LakehouseZone.RAW, table: 'customers' },
      target: { zone: LakehouseZone.CURATED, table: 'customers_clean' },
      schedule: 'cron(0 2 * * ? *)',
      dataQuality: { ruleset: 'Rules = [ RowCount > 0, IsComplete "customer_id" ]' },
    },
  });
  const registry = new ModelRegistry(ml, 'Registry', { models: [{ name: 'churn' }] });
  const training = new TrainingCluster(ml, 'Training', {
    lakehouse, registry, model: 'churn',
    triggers: [RetrainTrigger.onEtlSuccess(curate)],
    managed: {
      source: { zone: LakehouseZone.CURATED, table: 'customers_clean' },
      features: ['tenure'],
      label: 'label',
      sampleId: 'customer_id',
      prepare: { script: path.join(__dirname, '..', 'bin', 'training', 'prepare.py') },
      evaluate: { script: path.join(__dirname, '..', 'bin', 'training', 'evaluate.py'), metric: 'auc', threshold: 0.8 },
    },
  });
  const serving = new Stack(app, 'quick-dev-serving');
  const endpoint = new InferenceEndpoint(serving, 'Churn', {
    model: ModelSource.fromRegistry(registry, 'churn'),
    dataCapture: { lakehouse },
  });
  new PromotionWorkflow(ml, 'Promotion', { registry, model: 'churn', stages: [{ name: 'dev', stackName: serving.stackName }] });
  const monitoring = new MonitoringStack(app, 'quick-dev-monitoring', {
    lakehouse, pipelines: [curate], trainingClusters: [training], registries: [registry],
    // Drift is on by default for an endpoint that captures data; its features come from `retrain`'s data contract.
    endpoints: [{ endpoint, registry, model: 'churn', drift: { quality: { threshold: 0.8 } }, retrain: training }],
    alarmEmails: ['ml-oncall@example.com'],
  });
  return { ml, monitoring };
}

if (require.main === module) buildQuickstart();
