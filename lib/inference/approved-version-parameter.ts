import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { acknowledgeThirdPartyIam } from '../core/nag';
import { resolveRemovalPolicy } from '../core/removal';
import { approvedPackageParameterName } from './model-source';

/**
 * The value an approved-version parameter holds until the first approval: no version. An endpoint
 * whose parameter holds it has no model, endpoint config, endpoint or scaling (see
 * {@link InferenceEndpoint}); the promotion workflow replaces it with a model package ARN.
 */
export const APPROVED_VERSION_PLACEHOLDER = 'none';

/** Props of {@link ApprovedVersionParameter}. */
export interface ApprovedVersionParameterProps {
  /** The registered model whose approved version the parameter holds. */
  readonly model: string;
  /**
   * The parameter's name.
   * @default `/<project>/<env>/models/<model>/approved-package-arn` (what ModelSource.fromRegistry reads in this environment)
   */
  readonly parameterName?: string;
  /**
   * Whether deleting this construct (or its stack) deletes the parameter.
   * @default the profile's, through resolveRemovalPolicy (the parameter is kept unless that resolves to DESTROY)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Construct ID of the singleton Lambda behind every AwsCustomResource of a stack (aws-cdk-lib's fixed UUID). */
const PROVIDER_ID = 'AWS679f53fac002430cb0da5b7982bd2287';

const SSM_NAME = /^\/[a-zA-Z0-9_.\-/]{1,1010}$/;

/**
 * Creates the SSM String parameter that holds a model's approved package ARN, only if it does not
 * exist yet, with the value {@link APPROVED_VERSION_PLACEHOLDER}. It is deliberately not an
 * `AWS::SSM::Parameter`: that resource owns its `Value`, so any update of the stack that holds it
 * would reset the version that promotion wrote. Here a custom resource calls SSM `PutParameter`
 * with `Overwrite: false` on Create and treats `ParameterAlreadyExists` as success (the SSM API
 * reference: "Overwrite ... The default value is false"; PutParameter raises
 * `ParameterAlreadyExists` when "The parameter already exists. You can't create duplicate
 * parameters."), does nothing on Update, and deletes the parameter on Delete only when the
 * resolved removal policy is DESTROY.
 *
 * Deploy it in a stack that deploys before the serving stack that reads the parameter: a
 * CloudFormation SSM parameter type whose parameter does not exist fails the deployment ("If a
 * specified parameter doesn't exist in Parameter Store under the caller's AWS account,
 * CloudFormation returns a validation error", CloudFormation User Guide, Systems Manager parameter types).
 */
export class ApprovedVersionParameter extends Construct {
  /** The parameter's name. */
  public readonly parameterName: string;
  /** The parameter's ARN. */
  public readonly parameterArn: string;
  /** The removal policy in effect. */
  public readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: ApprovedVersionParameterProps) {
    super(scope, id);
    const v = new Validator(this);
    v.matches(props.parameterName, SSM_NAME, 'parameterName', 'must be an SSM parameter path: "/" followed by letters, digits, "_", ".", "-" or "/"');
    v.throwIfAny();
    const name = props.parameterName ?? approvedPackageParameterName(this, props.model);
    this.parameterName = name;
    this.parameterArn = Stack.of(this).formatArn({ service: 'ssm', resource: 'parameter', resourceName: name.slice(1) });
    this.removalPolicy = resolveRemovalPolicy(this, props.removalPolicy);
    const destroy = this.removalPolicy === RemovalPolicy.DESTROY;

    const actions = destroy ? ['ssm:PutParameter', 'ssm:DeleteParameter'] : ['ssm:PutParameter'];
    const resource = new cr.AwsCustomResource(this, 'Resource', {
      resourceType: 'Custom::ApprovedVersionParameter',
      onCreate: {
        service: 'SSM',
        action: 'PutParameter',
        parameters: {
          Name: name,
          Value: APPROVED_VERSION_PLACEHOLDER,
          Type: 'String',
          Overwrite: false,
          Description: `Approved model package ARN of ${props.model}; "${APPROVED_VERSION_PLACEHOLDER}" until the first approval (written by promotion)`,
        },
        physicalResourceId: cr.PhysicalResourceId.of(name),
        ignoreErrorCodesMatching: 'ParameterAlreadyExists',
      },
      onDelete: destroy ? {
        service: 'SSM',
        action: 'DeleteParameter',
        parameters: { Name: name },
        ignoreErrorCodesMatching: 'ParameterNotFound',
      } : undefined,
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions, resources: [this.parameterArn] })]),
      // The SDK bundled with the Lambda runtime has PutParameter and DeleteParameter: nothing to download at deploy time.
      installLatestAwsSdk: false,
    });
    this.node.defaultChild = resource;
    acknowledgeProvider(this);
  }
}

/**
 * The AwsCustomResource provider is one singleton Lambda per stack that aws-cdk-lib writes
 * (execution role with the AWS-managed basic execution policy, runtime chosen by aws-cdk-lib).
 */
const ACKNOWLEDGED = new WeakSet<Stack>();

function acknowledgeProvider(scope: Construct): void {
  const stack = Stack.of(scope);
  const provider = stack.node.tryFindChild(PROVIDER_ID);
  if (!provider || ACKNOWLEDGED.has(stack)) return;
  ACKNOWLEDGED.add(stack);
  acknowledgeThirdPartyIam(provider, 'The AwsCustomResource provider Lambda of aws-cdk-lib writes its logs with the AWS-managed AWSLambdaBasicExecutionRole; its SSM permissions are the exact parameter ARNs granted per use.');
  Validations.of(provider).acknowledge({
    id: 'AwsSolutions::AwsSolutions-L1',
    reason: 'The AwsCustomResource provider runtime is chosen by aws-cdk-lib (the latest Node.js runtime it knows for the region), not by this library.',
  });
}
