/**
 * A platform of two models in three environments, each pinned to an account and region. Prod owns
 * the release: an approved version goes to staging, then to prod after a person approves; dev is a
 * sandbox that promotes to itself. Drift and model quality run as the platform's own Glue job on
 * every endpoint; the models also opt into SageMaker Model Monitor (closed to new customers: only
 * for accounts that already use it), in a stack of its own. Select environments with
 * `-c env=dev|staging|prod|all`.
 *
 * Run it with: npx cdk synth --app "npx ts-node --swc examples/multi-environment.ts" -c env=all
 */
import * as path from 'path';
import { App, Duration } from 'aws-cdk-lib';
import {
  ColumnType, EnvironmentName, InferenceInstanceType, LakehouseZone, ModelQualityMonitorOptions, ModelQualityProblemType, PlatformDefinition,
  PlatformEnvironment, PlatformModel, PlatformStage, Profiles, availabilityZonesContext, buildPlatform,
} from '../lib';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';

function model(name: string, table: string, driftFeatures: string[], modelQuality?: ModelQualityMonitorOptions): PlatformModel {
  return {
    name,
    training: {
      schedule: 'cron(0 3 ? * MON *)',
      retrainAfter: ['Curate'],
      managed: {
        source: { zone: LakehouseZone.CURATED, table },
        features: ['tenure', 'basket_value'],
        label: 'label',
        sampleId: 'customer_id',
        prepare: { script: path.join(__dirname, '..', 'bin', 'training', 'prepare.py') },
        evaluate: { script: path.join(__dirname, '..', 'bin', 'training', 'evaluate.py'), metric: 'auc', threshold: 0.75 },
      },
    },
    serving: { variants: [{ instanceType: InferenceInstanceType.M5_LARGE }], captureSamplingPercentage: 10 },
    // Drift and quality come from the platform's own job by default; this example also opts into
    // SageMaker Model Monitor (for accounts that still have it), which goes into retail-<env>-model-monitor.
    monitoring: { modelMonitor: { dataQuality: { driftFeatures }, modelQuality } },
  };
}

const columns = [
  { name: 'customer_id', type: ColumnType.STRING },
  { name: 'tenure', type: ColumnType.INT },
  { name: 'basket_value', type: ColumnType.DOUBLE },
  { name: 'label', type: ColumnType.DOUBLE },
];
const day = [{ name: 'dt', type: ColumnType.STRING }];

export const DEFINITION: PlatformDefinition = {
  project: 'retail',
  lakehouse: {
    name: 'retail',
    tables: [
      { name: 'customers', zone: LakehouseZone.RAW, columns, partitionKeys: day },
      { name: 'customers_clean', zone: LakehouseZone.CURATED, columns, partitionKeys: day },
    ],
  },
  pipelines: [{
    id: 'Curate',
    batch: {
      script: path.join(__dirname, '..', 'bin', 'glue', 'curate_events.py'),
      source: { zone: LakehouseZone.RAW, table: 'customers' },
      target: { zone: LakehouseZone.CURATED, table: 'customers_clean' },
      schedule: 'cron(0 1 * * ? *)',
      dataQuality: { ruleset: 'Rules = [ RowCount > 1000, IsComplete "customer_id" ]' },
    },
  }],
  models: [
    // Churn labels land under the monitor's ground-truth/ prefix a month later: AUC below 0.75 on them retrains too.
    model('churn', 'customers_clean', ['tenure', 'basket_value'], {
      problemType: ModelQualityProblemType.BINARY_CLASSIFICATION, qualityThreshold: 0.75,
      probabilityAttribute: '0', probabilityThreshold: 0.5,
    }),
    model('upsell', 'customers_clean', ['basket_value']),
  ],
};

export const ENVIRONMENTS: Record<EnvironmentName, PlatformEnvironment> = {
  dev: {
    name: 'dev', profile: Profiles.DEV, account: ACCOUNT, region: REGION, owner: 'retail-ml', costCentre: 'cc-dev',
    promotesTo: [{ environment: 'dev' }],
  },
  staging: {
    name: 'staging', profile: Profiles.STAGING, account: ACCOUNT, region: REGION, owner: 'retail-ml', costCentre: 'cc-staging',
    promotesTo: [], alarmEmails: ['retail-ml@example.com'], alarmThresholds: { etlMaxSilence: Duration.hours(50) },
  },
  prod: {
    name: 'prod', profile: Profiles.PROD, account: ACCOUNT, region: REGION, owner: 'retail-ml', costCentre: 'cc-prod',
    promotesTo: [{ environment: 'staging' }, { environment: 'prod', requireApproval: true }],
    alarmEmails: ['retail-ml-oncall@example.com'], approverEmails: ['retail-ml-leads@example.com'],
    alarmThresholds: { endpoint4xxErrors: 200 },
  },
};

export function buildMultiEnvironmentExample(app: App = new App()): Map<EnvironmentName, PlatformStage> {
  // The stacks are pinned: their availability zones come from context, so synth needs no credentials.
  for (const [key, zones] of Object.entries(availabilityZonesContext(ACCOUNT, REGION, [`${REGION}a`, `${REGION}b`]))) app.node.setContext(key, zones);
  return buildPlatform(app, { definition: DEFINITION, environments: ENVIRONMENTS });
}

if (require.main === module) buildMultiEnvironmentExample();
