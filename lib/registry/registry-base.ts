import { Arn, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { deliverReliably } from '../core/event-delivery';
import { ruleWithOptions } from '../core/executions';
import { grantWithKey } from '../core/grants';
import type { IModelRegistry } from './model-registry';
import { REGISTRATION_APPROVAL_STATUS, REGISTRY_DEFAULTS } from './model-registry-props';
import * as perms from './perms';
import { APPROVED, REJECTED, approvalStatusPattern } from './private/events';
import { DecisionLog } from './private/decision-log';
import { acknowledgeForGrantee } from './private/nag';

/** The longest model package group name SageMaker accepts. */
const MAX_GROUP_NAME = 63;
/** The longest repository name this library gives (ECR accepts 256). */
const MAX_REPOSITORY_NAME = 200;

/** What a registry's ECR repositories hold: their names are `<project>-<env>-<purpose>`. */
export type RepositoryPurpose = 'training' | 'inference';

/**
 * What every model registry shares, whether this app creates it ({@link ModelRegistry}) or
 * imports one of another environment ({@link ModelRegistry.fromEnvironment}): the names and ARNs
 * of its model package groups, its grants, its approval rules and its metrics.
 *
 * A registry keeps its key, model package groups and repositories in one account and region, so
 * ARNs are built in the account and region of {@link encryptionKey}: the stack's own for a created
 * registry, those of the published key ARN for an imported one.
 */
export abstract class ModelRegistryBase extends Construct implements IModelRegistry {
  public abstract readonly encryptionKey: kms.IKey;
  public abstract readonly artifactBucket: s3.IBucket;
  public abstract readonly trainingRepository: ecr.IRepository;
  public abstract readonly inferenceRepository: ecr.IRepository;
  public abstract readonly models: readonly string[];

  public hasModel(model: string): boolean {
    return this.models.includes(model);
  }

  public modelPackageGroupName(model: string): string {
    this.requireModel(model);
    return this.physicalName(MAX_GROUP_NAME, model);
  }

  public modelPackageGroupArn(model: string): string {
    return this.registryArn('sagemaker', 'model-package-group', this.modelPackageGroupName(model));
  }

  public artifactPrefix(model: string): string {
    this.requireModel(model);
    return `${REGISTRY_DEFAULTS.modelsPrefix}${model}/`;
  }

  /**
   * Registration is gated: `sagemaker:CreateModelPackage` is allowed only when the request sets
   * `ModelApprovalStatus` to {@link REGISTRATION_APPROVAL_STATUS} (a request without it is denied
   * too), so nothing registers as Approved. Uploads must use the registry key: send no encryption
   * header (the bucket default applies) or name the key by its ARN.
   */
  public grantRegister(grantee: iam.IGrantable, model?: string): iam.Grant {
    const scope = this.scopeOf(model);
    // The core grant helper has no conditions; the gated statement is the only one that needs one.
    const register = iam.Grant.addToPrincipal({
      grantee,
      actions: [...perms.PACKAGE_REGISTER],
      resourceArns: [...scope.groupArns, ...scope.packageArns],
      conditions: { StringEquals: { 'sagemaker:ModelApprovalStatus': REGISTRATION_APPROVAL_STATUS } },
    });
    this.acknowledgeVersions(grantee, scope.packageArns);
    acknowledgeForGrantee(grantee, scope.objectsArn, `Registration writes one or more artifact objects per version under ${scope.prefix}.`);
    return register
      .combine(grantWithKey(grantee, {
        actions: [...perms.PACKAGE_READ, ...perms.PACKAGE_TAG],
        resourceArns: [...scope.groupArns, ...scope.packageArns],
      }))
      .combine(grantWithKey(grantee, {
        actions: [...perms.S3_BUCKET_READ, ...perms.S3_OBJECT_READ, ...perms.S3_OBJECT_WRITE],
        resourceArns: [this.artifactBucket.bucketArn, scope.objectsArn],
        key: this.encryptionKey,
        keyActions: perms.KMS_WRITE,
      }));
  }

  public grantRead(grantee: iam.IGrantable, model?: string): iam.Grant {
    const scope = this.scopeOf(model);
    this.acknowledgeVersions(grantee, scope.packageArns);
    acknowledgeForGrantee(grantee, scope.objectsArn, `Readers load any artifact of the versions under ${scope.prefix}.`);
    return grantWithKey(grantee, {
      actions: perms.PACKAGE_READ,
      resourceArns: [...scope.groupArns, ...scope.packageArns],
    }).combine(grantWithKey(grantee, {
      actions: [...perms.S3_BUCKET_READ, ...perms.S3_OBJECT_READ],
      resourceArns: [this.artifactBucket.bucketArn, scope.objectsArn],
      key: this.encryptionKey,
      keyActions: perms.KMS_READ,
    }));
  }

  /**
   * Lets the grantee approve or reject versions (sagemaker:UpdateModelPackage) and read them; for
   * the people or workflow that own the approval gate, never for the training workflow.
   */
  public grantApprove(grantee: iam.IGrantable, model?: string): iam.Grant {
    const scope = this.scopeOf(model);
    this.acknowledgeVersions(grantee, scope.packageArns);
    return grantWithKey(grantee, {
      actions: [...perms.PACKAGE_READ, ...perms.PACKAGE_APPROVE],
      resourceArns: [...scope.groupArns, ...scope.packageArns],
    });
  }

  public grantPull(grantee: iam.IGrantable): iam.Grant {
    return this.grantImages(grantee, perms.ECR_PULL);
  }

  /** Lets the grantee push images to both ECR repositories (tags are immutable: push new tags). */
  public grantPush(grantee: iam.IGrantable): iam.Grant {
    return this.grantImages(grantee, perms.ECR_PUSH);
  }

  public onApproved(id: string, options: events.OnEventOptions & { model?: string } = {}): events.Rule {
    const groups = options.model === undefined ? this.allGroupNames() : [this.modelPackageGroupName(options.model)];
    return ruleWithOptions(this, id, approvalStatusPattern(groups, APPROVED, options.eventPattern), options);
  }

  public metricApprovals(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.ruleMetric(this.statusRule(APPROVED), props);
  }

  public metricRejections(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.ruleMetric(this.statusRule(REJECTED), props);
  }

  /** The physical name `<project>-<env>-<parts>` of one of the registry's resources, at most `maxLength` characters. */
  protected abstract physicalName(maxLength: number, ...parts: string[]): string;

  /** The target-less rule whose TriggeredRules count the metrics report, for `Approved` or `Rejected`. */
  protected abstract statusRule(status: string): events.IRule;

  /** Name of the training or inference repository. */
  protected repositoryName(purpose: RepositoryPurpose): string {
    return this.physicalName(MAX_REPOSITORY_NAME, purpose);
  }

  /** ARN of one of the registry's resources, in the registry's account and region (those of its key). */
  protected registryArn(service: string, resource: string, resourceName: string): string {
    const { account, region } = this.encryptionKey.env;
    return Arn.format({ service, resource, resourceName, account, region }, Stack.of(this));
  }

  /**
   * A rule on versions of every declared model reaching `status`, the source of a metric, with the
   * registry's decision log as its target. The EventBridge metrics page ("Monitoring Amazon
   * EventBridge") defines TriggeredRules as rules that ran and matched an event and documents
   * nothing for a rule without targets, so every status rule gets a target: the decision log,
   * which also keeps an audit trail of approvals and rejections.
   */
  protected createStatusRule(id: string, status: string): events.Rule {
    const rule = new events.Rule(this, id, {
      description: `Versions ${status.toLowerCase()} in model registry ${this.node.path}`,
      eventPattern: approvalStatusPattern(this.allGroupNames(), status),
    });
    const log = this.decisionLog();
    rule.addTarget(deliverReliably({ bind: () => ({ arn: log.targetArn, targetResource: log.group }) }));
    log.allow(rule);
    return rule;
  }

  /** The key of the decision log (undefined: CloudWatch Logs' own encryption, for imports whose key policy this stack cannot change). */
  protected abstract decisionLogKey(): kms.IKey | undefined;

  private decisionLog(): DecisionLog {
    return this.node.tryFindChild('DecisionLog') as DecisionLog | undefined ?? new DecisionLog(this, 'DecisionLog', this.decisionLogKey());
  }

  private ruleMetric(rule: events.IRule, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'TriggeredRules',
      dimensionsMap: { RuleName: rule.ruleName },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  private grantImages(grantee: iam.IGrantable, actions: readonly string[]): iam.Grant {
    acknowledgeForGrantee(grantee, '*', 'ecr:GetAuthorizationToken supports no resource-level permissions (registry login).');
    return grantWithKey(grantee, {
      actions,
      resourceArns: [this.trainingRepository.repositoryArn, this.inferenceRepository.repositoryArn],
    }).combine(grantWithKey(grantee, { actions: perms.ECR_AUTH, resourceArns: ['*'] }));
  }

  private allGroupNames(): string[] {
    return this.models.map((m) => this.modelPackageGroupName(m));
  }

  /** Group, package and artifact resources for one model, or for every model. */
  private scopeOf(model?: string): { groupArns: string[]; packageArns: string[]; prefix: string; objectsArn: string } {
    const models = model === undefined ? [...this.models] : [model];
    const prefix = model === undefined ? REGISTRY_DEFAULTS.modelsPrefix : this.artifactPrefix(model);
    return {
      groupArns: models.map((m) => this.modelPackageGroupArn(m)),
      packageArns: models.map((m) => this.packagesArn(m)),
      prefix,
      objectsArn: this.artifactBucket.arnForObjects(`${prefix}*`),
    };
  }

  /** Acknowledges the version wildcard (`model-package/<group>/*`) of each group in a grant. */
  private acknowledgeVersions(grantee: iam.IGrantable, packageArns: readonly string[]): void {
    for (const arn of packageArns) {
      acknowledgeForGrantee(grantee, arn, 'Versions are model-package/<group>/<version>: the wildcard covers the versions of one declared group.');
    }
  }

  /** ARN pattern of every version of a model (versioned packages are `model-package/<group>/<n>`). */
  protected packagesArn(model: string): string {
    return this.registryArn('sagemaker', 'model-package', `${this.modelPackageGroupName(model)}/*`);
  }

  private requireModel(model: string): void {
    if (this.hasModel(model)) return;
    const v = new Validator(this);
    v.check(false, 'model', Token.isUnresolved(model) ? '(unresolved token)' : model,
      `is not a model of this registry; declared: ${this.models.join(', ')}`);
    v.throwIfAny();
  }
}
