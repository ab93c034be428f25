/**
 * Continuous retraining of a churn model: every week, and whenever the curation pipeline delivers
 * data that passed its quality gate, prepare -> train on spot GPUs -> evaluate -> register the
 * model as PendingManualApproval when its AUC reaches 0.85.
 *
 * Run it with: npx cdk synth --app "npx ts-node --swc examples/training.ts"
 */
import * as path from 'path';
import { App, Duration, Size, Stack } from 'aws-cdk-lib';
import {
  ColumnType, DataLakehouse, EtlPipeline, LakehouseZone, ModelRegistry, Profiles, RetrainTrigger, TrainingCluster, TrainingImage, applyPlatform,
} from '../lib';

export function buildTrainingExample(app: App = new App()): Stack {
  applyPlatform(app, { project: 'acme', profile: Profiles.STAGING, owner: 'ml-platform', costCentre: 'cc-1234' });
  const stack = new Stack(app, 'acme-staging-training');

  const columns = [
    { name: 'sample_id', type: ColumnType.STRING },
    { name: 'tenure_months', type: ColumnType.INT },
    { name: 'monthly_spend', type: ColumnType.DOUBLE },
    { name: 'label', type: ColumnType.DOUBLE },
  ];
  const lakehouse = new DataLakehouse(stack, 'Lakehouse', {
    tables: [
      { name: 'customers', zone: LakehouseZone.RAW, columns, partitionKeys: [{ name: 'dt', type: ColumnType.STRING }] },
      { name: 'churn_samples', zone: LakehouseZone.CURATED, columns, partitionKeys: [{ name: 'dt', type: ColumnType.STRING }] },
    ],
  });
  const curate = new EtlPipeline(stack, 'CurateCustomers', {
    lakehouse,
    batch: {
      script: path.join(__dirname, '..', 'bin', 'glue', 'curate_events.py'),
      source: { zone: LakehouseZone.RAW, table: 'customers' },
      target: { zone: LakehouseZone.CURATED, table: 'churn_samples' },
      schedule: 'cron(0 1 * * ? *)',
      dataQuality: { ruleset: 'Rules = [ RowCount > 1000, IsComplete "label", ColumnValues "label" in [0, 1] ]' },
    },
  });
  const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn', description: 'Customer churn (XGBoost)' }] });

  new TrainingCluster(stack, 'Training', {
    lakehouse,
    registry,
    model: 'churn',
    schedule: 'cron(0 4 ? * SUN *)',
    triggers: [RetrainTrigger.onEtlSuccess(curate)],
    managed: {
      source: { zone: LakehouseZone.CURATED, table: 'churn_samples' },
      features: ['tenure_months', 'monthly_spend'],
      label: 'label',
      image: TrainingImage.xgboost('1.7-1'),
      prepare: { script: path.join(__dirname, '..', 'bin', 'training', 'prepare.py'), instanceType: 'ml.m5.2xlarge' },
      training: {
        instanceType: 'ml.g5.2xlarge',
        instanceCount: 2,
        volumeSize: Size.gibibytes(100),
        maxRuntime: Duration.hours(3),
        maxWait: Duration.hours(9),
        hyperparameters: { objective: 'binary:logistic', num_round: '300', max_depth: '6', eta: '0.1' },
      },
      evaluate: { script: path.join(__dirname, '..', 'bin', 'training', 'evaluate.py'), metric: 'auc', threshold: 0.85 },
    },
  });
  return stack;
}

// Run directly (as `cdk synth --app` does), the App synthesizes itself when the process exits.
if (require.main === module) buildTrainingExample();
