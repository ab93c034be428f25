import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { ColumnType, DataLakehouse, LakehouseZone } from '../../lib';
import { ModelRegistry } from '../../lib/registry';
import { ManagedTrainingOptions } from '../../lib/training';

export const PREPARE = path.join(__dirname, '..', 'fixtures', 'prepare.py');
export const EVALUATE = path.join(__dirname, '..', 'fixtures', 'evaluate.py');

/** A lakehouse with a curated samples table and a registry with one model, for training tests. */
export function trainingInputs(stack: Stack): { lakehouse: DataLakehouse; registry: ModelRegistry } {
  const lakehouse = new DataLakehouse(stack, 'Lake', {
    tables: [{ name: 'samples', zone: LakehouseZone.CURATED, columns: [
      { name: 'sample_id', type: ColumnType.STRING }, { name: 'tenure', type: ColumnType.INT },
      { name: 'monthly_charges', type: ColumnType.DOUBLE }, { name: 'plan', type: ColumnType.STRING }, { name: 'label', type: ColumnType.DOUBLE },
    ] }],
  });
  const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn' }] });
  return { lakehouse, registry };
}

/** Managed-engine options with only what is required. */
export function managedOptions(extra: Partial<ManagedTrainingOptions> = {}): ManagedTrainingOptions {
  return {
    source: { table: 'samples' },
    features: ['tenure', 'monthly_charges'],
    label: 'label',
    prepare: { script: PREPARE },
    evaluate: { script: EVALUATE, metric: 'auc', threshold: 0.8 },
    ...extra,
  };
}
