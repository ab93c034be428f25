import { Arn, CfnParameter, Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { Platform } from '../../core/environment';
import { Validator } from '../../core/errors';
import { ModelRegistryImportProps, REGISTRY_OUTPUTS, registryParameterNames } from '../model-registry-props';
import { ModelRegistryBase, RepositoryPurpose } from '../registry-base';
import { APPROVED } from './events';
import { nameInEnvironment } from './names';
import { validateImportProps } from './validate';

/** ID of the construct, directly below the stack, that holds the SSM-typed parameters of every import in the stack. */
const PARAMETERS_ID = 'ModelRegistryParameters';

/**
 * The stack's `AWS::SSM::Parameter::Value<String>` parameter that reads the SSM parameter `name`
 * at deploy time, created on first use: every import of the same registry in a stack shares it.
 */
function ssmValue(scope: Construct, name: string, what: string): string {
  const stack = Stack.of(scope);
  const holder = stack.node.tryFindChild(PARAMETERS_ID) as Construct | undefined ?? new Construct(stack, PARAMETERS_ID);
  // SSM names are unique and never contain '.', so the ID is unique too; the logical ID adds a hash of the path.
  const id = name.replace(/^\//, '').replace(/\//g, '.');
  const existing = holder.node.tryFindChild(id) as CfnParameter | undefined;
  const parameter = existing ?? new CfnParameter(holder, id, {
    type: 'AWS::SSM::Parameter::Value<String>',
    default: name,
    description: `${what}, read from SSM parameter ${name} (re-read on every stack update)`,
  });
  return parameter.valueAsString;
}

/**
 * A model registry of another environment, imported into this stack by the names it publishes
 * (see `ModelRegistry.fromEnvironment`): nothing here creates or changes a registry resource.
 */
export class ImportedModelRegistry extends ModelRegistryBase {
  public readonly encryptionKey: kms.IKey;
  public readonly artifactBucket: s3.IBucket;
  public readonly trainingRepository: ecr.IRepository;
  public readonly inferenceRepository: ecr.IRepository;
  public readonly models: readonly string[];
  /** Project of the imported registry. */
  public readonly project: string;
  /** Environment of the imported registry. */
  public readonly environment: string;
  /** Account and region of a registry read through stack outputs. */
  private readonly home?: { readonly account: string; readonly region: string };

  constructor(scope: Construct, id: string, props: ModelRegistryImportProps) {
    super(scope, id);
    const project = props.project ?? Platform.of(this).project;
    const environment = typeof props.environment === 'string' ? props.environment : '';
    const v = new Validator(this);
    validateImportProps(v, props, { groupName: (m) => nameInEnvironment(String(project), environment, Number.MAX_SAFE_INTEGER, m) });
    v.throwIfAny();

    this.project = project;
    this.environment = environment;
    this.models = [...props.models];
    const label = `Model registry ${project}-${environment}`;
    const names = registryParameterNames(project, environment);
    const outputs = props.stackOutputs;
    // The reader role's ARN names the registry's account: ARNs of its groups and repositories need
    // no parsing of a deploy-time value.
    this.home = outputs && !Token.isUnresolved(outputs.roleArn)
      ? { account: outputs.roleArn.split(':')[4], region: outputs.region ?? Stack.of(this).region }
      : undefined;
    // Another account's registry: its stack's outputs, resolved by CloudFormation at deploy time with a
    // role of that account (Fn::GetStackOutput: StackName, OutputName, Region, RoleArn; CloudFormation
    // Template Reference, https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/intrinsic-function-reference-getstackoutput.html).
    const value = (output: string, parameter: string, what: string): string => (outputs
      ? Token.asString({ 'Fn::GetStackOutput': {
        StackName: outputs.stackName, OutputName: output, RoleArn: outputs.roleArn, ...(outputs.region ? { Region: outputs.region } : {}),
      } })
      : ssmValue(this, parameter, what));
    this.encryptionKey = kms.Key.fromKeyArn(this, 'Key', value(REGISTRY_OUTPUTS.keyArn, names.keyArn, `${label}: KMS key ARN`));
    this.artifactBucket = s3.Bucket.fromBucketAttributes(this, 'ArtifactBucket', {
      bucketName: value(REGISTRY_OUTPUTS.artifactBucket, names.artifactBucket, `${label}: artifact bucket`),
      encryptionKey: this.encryptionKey,
      account: this.home?.account ?? this.encryptionKey.env.account,
      region: this.home?.region ?? this.encryptionKey.env.region,
    });
    this.trainingRepository = this.importRepository('TrainingRepository', 'training');
    this.inferenceRepository = this.importRepository('InferenceRepository', 'inference');
  }

  protected registryArn(service: string, resource: string, resourceName: string): string {
    if (!this.home) return super.registryArn(service, resource, resourceName);
    return Arn.format({ service, resource, resourceName, account: this.home.account, region: this.home.region }, Stack.of(this));
  }

  protected physicalName(maxLength: number, ...parts: string[]): string {
    return nameInEnvironment(this.project, this.environment, maxLength, ...parts);
  }

  /** The import's own rules (target: a decision log in this stack), created on the first metric call. */
  protected statusRule(status: string): events.IRule {
    const id = status === APPROVED ? 'ApprovedRule' : 'RejectedRule';
    return this.node.tryFindChild(id) as events.Rule | undefined ?? this.createStatusRule(id, status);
  }

  protected decisionLogKey(): kms.IKey | undefined {
    return undefined;
  }

  private importRepository(id: string, purpose: RepositoryPurpose): ecr.IRepository {
    const repositoryName = this.repositoryName(purpose);
    return ecr.Repository.fromRepositoryAttributes(this, id, {
      repositoryName,
      repositoryArn: this.registryArn('ecr', 'repository', repositoryName),
    });
  }
}
