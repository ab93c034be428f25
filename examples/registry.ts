/**
 * A model registry for one team's staging environment: two models, a promotion account that may
 * read approved versions, an MLflow tracking server, a CI role that pushes images, a training role
 * that registers versions (always pending approval), an approver role, and a notification on every
 * approval of the churn model (where a promotion workflow would attach instead).
 *
 * Run it with: npx cdk synth --app "npx ts-node --swc examples/registry.ts"
 */
import { App, Stack } from 'aws-cdk-lib';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Profiles, applyPlatform } from '../lib';
import { ModelRegistry, TrackingServerSize } from '../lib/registry';

/** The promotion (prod) account that deploys approved versions. */
export const PROMOTION_ACCOUNT = '210987654321';
/** The roles there that read approved versions: the churn endpoint's execution role and the CloudFormation execution role that creates its model. */
export const PROMOTION_READERS = [
  `arn:aws:iam::${PROMOTION_ACCOUNT}:role/acme-prod-serve-churn`,
  `arn:aws:iam::${PROMOTION_ACCOUNT}:role/cdk-hnb659fds-cfn-exec-role-${PROMOTION_ACCOUNT}-eu-west-1`,
];

export function buildRegistryExample(app: App = new App()): Stack {
  applyPlatform(app, { project: 'acme', profile: Profiles.STAGING, owner: 'ml-platform', costCentre: 'cc-1234' });
  const stack = new Stack(app, 'acme-staging-registry');

  const registry = new ModelRegistry(stack, 'Registry', {
    models: [
      { name: 'churn', description: 'Monthly churn propensity' },
      { name: 'fraud-score' },
    ],
    imageRetention: 50,
    crossAccountReaders: PROMOTION_READERS,
    mlflow: { enabled: true, size: TrackingServerSize.SMALL, weeklyMaintenanceWindowStart: 'Sun:03:30' },
  });

  // CI builds the training and inference images; tags are immutable, so every build pushes a new tag.
  const ci = new iam.Role(stack, 'CiRole', { assumedBy: new iam.AccountRootPrincipal() });
  registry.grantPush(ci);

  // The training workflow registers new churn versions (as PendingManualApproval) and tracks experiments.
  const training = new iam.Role(stack, 'TrainingRole', { assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com') });
  registry.grantRegister(training, 'churn');
  registry.grantPull(training);
  registry.grantTracking(training);

  // Only the model owners approve or reject.
  const approver = new iam.Role(stack, 'ApproverRole', { assumedBy: new iam.AccountRootPrincipal() });
  registry.grantApprove(approver);

  // Tell the team about every approved churn version.
  const approvals = new sns.Topic(stack, 'ChurnApprovals', { masterKey: registry.encryptionKey, enforceSSL: true });
  registry.encryptionKey.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'AllowEventBridgeToApprovalTopic',
    principals: [new iam.ServicePrincipal('events.amazonaws.com')],
    actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
    resources: ['*'],
    conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
  }));
  registry.onApproved('NotifyChurnApproved', {
    model: 'churn',
    description: 'Notifies the team when a churn version is approved',
    target: new targets.SnsTopic(approvals),
  });
  return stack;
}

// Run directly (as `cdk synth --app` does), the App synthesizes itself when the process exits.
if (require.main === module) buildRegistryExample();
