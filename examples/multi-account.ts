/**
 * The multi-environment platform with each environment in an account of its own, all in one region,
 * and a tooling account for the delivery pipeline. Prod owns the release: an approved version goes
 * to staging, then to prod after a person approves; dev is a sandbox that promotes to itself.
 *
 * What crosses accounts, and how (nothing is looked up at synth time):
 * - prod's promotion workflow assumes `retail-staging-promotion-target` in the staging account
 *   (created by staging's ML stack, trusting only prod's workflow roles by exact ARN) to write the
 *   approved version there and update staging's serving stack;
 * - prod's registry shares its model package groups, artifacts, key and inference images with the
 *   exact roles that use them in staging (endpoint and drift job roles, CloudFormation execution role);
 * - staging's serving stack reads the registry's key ARN and bucket name from prod's ML stack outputs
 *   with Fn::GetStackOutput through `retail-prod-registry-reader`, at deploy time.
 *
 * Deploy prod's ML stack first (its registry and roles), then staging, then the rest of prod.
 * Bootstrap each environment account to trust the tooling account for the pipeline.
 *
 * Run it with: npx cdk synth --app "npx ts-node --swc examples/multi-account.ts" -c env=all
 */
import { App } from 'aws-cdk-lib';
import {
  EnvironmentName, PlatformDefinition, PlatformEnvironment, PlatformStage, Profiles, ToolingAccount, availabilityZonesContext, buildPlatform,
} from '../lib';
import { DEFINITION as MULTI_ENVIRONMENT } from './multi-environment';

/** The models and data of examples/multi-environment.ts, watched by the platform's own drift job only. */
export const DEFINITION: PlatformDefinition = {
  ...MULTI_ENVIRONMENT,
  models: MULTI_ENVIRONMENT.models.map((model) => ({ ...model, monitoring: undefined })),
};

export const ACCOUNTS = { dev: '111111111111', staging: '222222222222', prod: '333333333333', tooling: '444444444444' } as const;
export const REGION = 'us-east-1';

export const TOOLING: ToolingAccount = { account: ACCOUNTS.tooling, region: REGION };

export const ENVIRONMENTS: Record<EnvironmentName, PlatformEnvironment> = {
  dev: {
    name: 'dev', profile: Profiles.DEV, account: ACCOUNTS.dev, region: REGION, owner: 'retail-ml', costCentre: 'cc-dev',
    promotesTo: [{ environment: 'dev' }],
  },
  staging: {
    name: 'staging', profile: Profiles.STAGING, account: ACCOUNTS.staging, region: REGION, owner: 'retail-ml', costCentre: 'cc-staging',
    promotesTo: [], alarmEmails: ['retail-ml@example.com'],
  },
  prod: {
    name: 'prod', profile: Profiles.PROD, account: ACCOUNTS.prod, region: REGION, owner: 'retail-ml', costCentre: 'cc-prod',
    promotesTo: [{ environment: 'staging' }, { environment: 'prod', requireApproval: true }],
    alarmEmails: ['retail-ml-oncall@example.com'], approverEmails: ['retail-ml-leads@example.com'],
  },
};

/** The availability zones of every pinned account, as context: synth needs no lookup and no credentials. */
export function pinAvailabilityZones(app: App): void {
  for (const account of Object.values(ACCOUNTS)) {
    for (const [key, zones] of Object.entries(availabilityZonesContext(account, REGION, [`${REGION}a`, `${REGION}b`]))) app.node.setContext(key, zones);
  }
}

export function buildMultiAccountExample(app: App = new App()): Map<EnvironmentName, PlatformStage> {
  pinAvailabilityZones(app);
  return buildPlatform(app, { definition: DEFINITION, environments: ENVIRONMENTS, tooling: TOOLING });
}

if (require.main === module) buildMultiAccountExample();
