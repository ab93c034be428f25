import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import type { IModelRegistry } from '../registry';

/** One environment a promotion passes through, in order. */
export interface PromotionStage {
  /** Environment name, e.g. `staging` or `prod`: lowercase letters, digits and hyphens. */
  readonly name: string;
  /**
   * Name of the CloudFormation stack whose InferenceEndpoint serves the model in this environment.
   * @default the name of `servingStack`
   */
  readonly stackName?: string;
  /**
   * The serving stack itself, when it is part of this app (in any stage). An UpdateStack re-resolves
   * every SSM-typed parameter of the stack with the workflow's credentials, so the workflow may
   * read (ssm:GetParameters) exactly the parameters that stack's SSM-typed template parameters
   * name, derived from its CfnParameters at synthesis.
   * @default stackName must be given; the workflow may read this stage's parameterName and the CDK bootstrap version parameter only
   */
  readonly servingStack?: Stack;
  /**
   * The SSM parameter that stack's endpoint reads the approved package ARN from.
   * @default `/<project>/<stage name>/models/<model>/approved-package-arn` (what ModelSource.fromRegistry reads in that environment)
   */
  readonly parameterName?: string;
  /**
   * Whether a person must approve (through the task token sent to the approval topic) before this stage is updated.
   * @default false for the first stage, true for every later one
   */
  readonly requireApproval?: boolean;
}

/** Props of a {@link PromotionWorkflow}. */
export interface PromotionWorkflowProps {
  /** The registry whose approvals start a promotion. */
  readonly registry: IModelRegistry;
  /** The model (declared in the registry) to promote. */
  readonly model: string;
  /** Environments in promotion order, one to five. */
  readonly stages: PromotionStage[];
  /**
   * Topic that receives approval requests (with the task token) and failure alerts.
   * @default a new KMS-encrypted, TLS-only topic
   */
  readonly topic?: sns.ITopic;
  /**
   * Role CloudFormation uses to update the serving stacks (the workflow may pass only this role).
   * @default the CDK bootstrap CloudFormation execution role (`cdk-<qualifier>-cfn-exec-role-<account>-<region>`)
   */
  readonly cloudFormationRoleArn?: string;
  /**
   * How often the workflow checks a stack update.
   * @default 1 minute
   */
  readonly pollInterval?: Duration;
  /**
   * The longest a promotion may take from approval to the last stage, approvals included.
   * @default 7 days
   */
  readonly timeout?: Duration;
  /**
   * Key of the new topic and the workflow's log group.
   * @default a new customer-managed key with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Removal policy of the key and log group this construct creates.
   * @default the profile's, through resolveRemovalPolicy
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Defaults of the promotion workflow. */
export const PROMOTION_DEFAULTS = {
  pollInterval: Duration.minutes(1),
  timeout: Duration.days(7),
  bootstrapQualifier: 'hnb659fds',
  maxStages: 5,
};
