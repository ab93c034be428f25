import { EnvironmentName, PlatformEnvironment, Profiles } from '../lib';

/**
 * The environments of the default app. Fill in `account` and `region` to pin a deployment
 * target; left empty, stacks are environment-agnostic and deploy to the CLI's current account.
 *
 * Promotion: dev promotes its own approvals to itself (a sandbox loop). Prod retrains on
 * production data and owns the release: an approved version goes to staging first, then, after a
 * person approves, to prod. Staging has its own data and retraining but promotes nowhere; its
 * endpoints serve what prod's registry released to it.
 *
 * Cost at rest (`npm run cost -- -c env=all`): dev stays under $30 a month through its profile
 * (SageMaker jobs on the managed network, so no interface endpoint; the churn model served serverless,
 * so no always-on instance and no drift job); staging and prod keep the VPC endpoints, instance-based
 * endpoints with data capture and the daily drift job.
 */
export const ENVIRONMENTS: Record<EnvironmentName, PlatformEnvironment> = {
  dev: {
    name: 'dev', profile: Profiles.DEV, owner: 'ml-platform', costCentre: 'ml-dev',
    promotesTo: [{ environment: 'dev' }],
  },
  staging: {
    name: 'staging', profile: Profiles.STAGING, owner: 'ml-platform', costCentre: 'ml-staging',
    promotesTo: [],
  },
  prod: {
    name: 'prod', profile: Profiles.PROD, owner: 'ml-platform', costCentre: 'ml-prod',
    // Lakehouse zones and model artifacts replicate to us-west-2 (S3 RTC, RPO 15 minutes) through
    // the mlops-prod-dr stack, which deploys first: bootstrap us-west-2 too. Deploy prod anywhere but us-west-2.
    drRegion: 'us-west-2',
    promotesTo: [{ environment: 'staging' }, { environment: 'prod', requireApproval: true }],
  },
};

/** Project name used in stack names, physical names and tags. */
export const PROJECT = 'mlops';
