import { EnvironmentConfig, EnvironmentName, Profiles } from '../lib';

/**
 * The environments of the default app. Fill in `account` and `region` to pin a deployment
 * target; left empty, stacks are environment-agnostic and deploy to the CLI's current account.
 */
export const ENVIRONMENTS: Record<EnvironmentName, EnvironmentConfig> = {
  dev: { name: 'dev', profile: Profiles.DEV, owner: 'ml-platform', costCentre: 'ml-dev' },
  staging: { name: 'staging', profile: Profiles.STAGING, owner: 'ml-platform', costCentre: 'ml-staging' },
  prod: { name: 'prod', profile: Profiles.PROD, owner: 'ml-platform', costCentre: 'ml-prod' },
};

/** Project name used in stack names, physical names and tags. */
export const PROJECT = 'mlops';
