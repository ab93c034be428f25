import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { bootstrapExecutionRoleName, bootstrapQualifier } from '../../core/bootstrap';
import { PromotionStage } from '../promotion-workflow-props';
import { ssmParameterNames } from './stack-parameters';

/** The ARN pattern of a stack by name (in `account`, default the stack's). */
export function stackArn(stack: Stack, stackName: string, account?: string): string {
  return stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${stackName}/*`, account });
}

/**
 * The SSM parameters an UpdateStack of the stage's serving stack resolves: derived from the serving
 * stack's SSM-typed CfnParameters when it is in this app, else the stage's parameter and the CDK
 * bootstrap version parameter. Call it when the tree is complete (inside a Lazy).
 */
export function promotionParameterNames(scope: Construct, stage: Pick<PromotionStage, 'servingStack'> & { parameterName: string }): string[] {
  if (stage.servingStack) return ssmParameterNames(stage.servingStack);
  const qualifier = bootstrapQualifier(scope);
  return [...new Set([stage.parameterName, `/cdk-bootstrap/${qualifier}/version`])].sort();
}

/** The CDK bootstrap CloudFormation execution role of this stack's account (or `account`) and region. */
export function bootstrapExecutionRoleArn(scope: Construct, account?: string): string {
  const stack = Stack.of(scope);
  return stack.formatArn({
    service: 'iam', region: '', account, resource: 'role', arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    resourceName: bootstrapExecutionRoleName(bootstrapQualifier(scope), account ?? stack.account, stack.region),
  });
}

/** The model's name as the training workflow writes it into job and run-context names (lowercase, at most 20 characters). */
export function modelSlug(model: string): string {
  return model.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 20);
}

/**
 * The lineage entities a stage's promotion writes: its deployment actions (`<model>-<stage>-deploy-<hash>`)
 * and the model's run contexts (`<model>-run-<run id>`, named by the retraining workflow), in this account.
 */
export function lineageArns(stack: Stack, model: string, stage: string): { actions: string; runContexts: string } {
  const slug = modelSlug(model);
  return {
    actions: stack.formatArn({ service: 'sagemaker', resource: 'action', resourceName: `${slug}-${stage}-deploy-*` }),
    runContexts: stack.formatArn({ service: 'sagemaker', resource: 'context', resourceName: `${slug}-run-*` }),
  };
}

/** Options of {@link deploymentLineage}. */
export interface DeploymentLineageOptions {
  readonly model: string;
  readonly stage: { readonly name: string; readonly stackName: string; readonly parameterName: string; readonly account?: string };
  /** JSONPath of the promoted model package ARN. */
  readonly packageArn: string;
  /** ARN of the stage's approved-version SSM parameter (in the stage's account), the deployment's source. */
  readonly parameterArn: string;
  /** Where the stage's lineage results go in the execution state. */
  readonly resultPath: string;
  readonly topic: sns.ITopic;
  /** What follows, recorded or not. */
  readonly next: sfn.IChainable;
}

/** The ContextType the retraining workflow gives a run's context (lib/training/private/lineage.ts). */
export const RUN_CONTEXT_TYPE = 'TrainingRun';
/** The ActionType of the deployment a promotion records. */
export const DEPLOYMENT_ACTION_TYPE = 'ModelDeployment';

/**
 * Records a stage's deployment in SageMaker ML Lineage Tracking, after its serving stack settled:
 * an action "deployed <package> to <stage> (stack <name>)" whose source is the serving stack, and
 * the association ContributedTo from the version's training-run context to it.
 *
 * These tasks carry no `Credentials`: lineage entities belong to an account and Region, and the
 * run context lives where the version was trained and registered, the releasing account this
 * workflow runs in, whatever account the stage serves from.
 *
 * The record is evidence, not a gate: any failure (throttling left after retries, a missing
 * permission, a name already taken) is caught, published to the topic, and the promotion goes on.
 */
export function deploymentLineage(scope: Construct, o: DeploymentLineageOptions): sfn.IChainable {
  const stack = Stack.of(scope);
  const label = (what: string) => `${o.stage.name} lineage: ${what}`;
  const slug = modelSlug(o.model);
  const arns = lineageArns(stack, o.model, o.stage.name);
  const short = sfn.Timeout.duration(Duration.minutes(2));

  // ListContexts (SageMaker API reference, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_ListContexts.html):
  // SourceUri "A filter that returns only contexts with the specified source URI", ContextType "A filter
  // that returns only contexts of the specified type"; response ContextSummaries[].ContextArn. The
  // retraining workflow sources its run context at the registered package ARN. List* actions of
  // SageMaker take no resource-level permissions (Service Authorization Reference, Amazon SageMaker).
  const find = new tasks.CallAwsService(scope, label('Find training run'), {
    service: 'sagemaker', action: 'listContexts', iamAction: 'sagemaker:ListContexts', iamResources: ['*'],
    parameters: { SourceUri: o.packageArn, ContextType: RUN_CONTEXT_TYPE, MaxResults: 1 },
    // No ResultSelector: a version registered without lineage has no context, and a selector on
    // ContextSummaries[0] would end the execution with States.Runtime, which no Catch catches
    // (States.ALL does not match States.Runtime: Step Functions developer guide, error names).
    resultPath: `${o.resultPath}.runs`,
    taskTimeout: short,
  });
  // CreateAction (SageMaker API reference, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_CreateAction.html):
  // ActionName (required, unique per account and Region, 1-120 of [a-zA-Z0-9](-*[a-zA-Z0-9])*),
  // Source.SourceUri (required, <= 2048), ActionType (required), Status (Unknown | InProgress |
  // Completed | Failed | Stopping | Stopped), Properties (string map, values <= 256); response ActionArn.
  // The name is unique per promotion and stage: the MD5 of the execution ARN (32 hex digits).
  const actionName = `States.Format('${slug}-${o.stage.name}-deploy-{}', States.Hash($$.Execution.Id, 'MD5'))`;
  const record = new tasks.CallAwsService(scope, label('Record deployment'), {
    service: 'sagemaker', action: 'createAction', iamAction: 'sagemaker:CreateAction',
    iamResources: [arns.actions],
    parameters: {
      ActionName: sfn.JsonPath.stringAt(actionName),
      ActionType: DEPLOYMENT_ACTION_TYPE,
      // Sourced at the parameter the serving stack reads: ListActions(SourceUri=<parameter ARN>) lists
      // every deployment made through it, which is where the documented query starts.
      Source: { SourceUri: o.parameterArn, SourceType: 'AWS::SSM::Parameter' },
      Status: 'Completed',
      Description: sfn.JsonPath.format(`Deployed {} to ${o.stage.name} (stack ${o.stage.stackName})`, o.packageArn),
      Properties: {
        Environment: o.stage.name,
        StackName: o.stage.stackName,
        ParameterName: o.stage.parameterName,
        Account: o.stage.account ?? stack.account,
        ModelPackageArn: o.packageArn,
        ExecutionArn: sfn.JsonPath.executionId,
      },
    },
    // No ResultSelector here either: a selector on a missing field fails with States.Runtime; the Choice below checks it.
    resultPath: `${o.resultPath}.action`,
    taskTimeout: short,
  });
  // AddAssociation (SageMaker API reference, https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_AddAssociation.html):
  // SourceArn, DestinationArn required; ContributedTo: "the source contributed to the destination or
  // had a part in enabling the destination". Authorized on both entities (Service Authorization
  // Reference: AddAssociation, resource types action, artifact, context).
  const link = new tasks.CallAwsService(scope, label('Link to training run'), {
    service: 'sagemaker', action: 'addAssociation', iamAction: 'sagemaker:AddAssociation',
    iamResources: [arns.runContexts, arns.actions],
    parameters: {
      SourceArn: sfn.JsonPath.stringAt(`${o.resultPath}.runs.ContextSummaries[0].ContextArn`),
      DestinationArn: sfn.JsonPath.stringAt(`${o.resultPath}.action.ActionArn`),
      AssociationType: 'ContributedTo',
    },
    resultPath: sfn.JsonPath.DISCARD,
    taskTimeout: short,
  });
  const alert = new tasks.SnsPublish(scope, label('Not recorded'), {
    topic: o.topic,
    subject: `Lineage of ${o.model} in ${o.stage.name} not recorded`,
    message: sfn.TaskInput.fromObject({
      alert: `The promotion of ${o.model} to ${o.stage.name} (stack ${o.stage.stackName}) succeeded, but its deployment was not recorded in SageMaker lineage; the promotion continues`,
      modelPackageArn: o.packageArn,
      execution: sfn.JsonPath.executionId,
      // The catcher's whole output ({ Error, Cause }): it is always there, while a path to a field
      // that an error left out would end the execution with States.Runtime.
      error: sfn.JsonPath.objectAt(`${o.resultPath}.error`),
    }),
    resultPath: sfn.JsonPath.DISCARD,
  });
  // Not even the alert may stop a promotion whose stack update succeeded.
  alert.addCatch(o.next, { errors: ['States.ALL'], resultPath: sfn.JsonPath.DISCARD });
  alert.next(o.next);
  for (const t of [find, record, link]) {
    // Transient errors only; the SDK integration names them "SageMaker.<exception>" (Step Functions developer guide, AWS SDK service integrations).
    t.addRetry({ errors: ['SageMaker.ThrottlingException', 'SageMaker.InternalFailureException', 'SageMaker.ServiceUnavailableException'], interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2 });
    t.addCatch(alert, { errors: ['States.ALL'], resultPath: `${o.resultPath}.error` });
  }
  link.next(o.next);
  const hasRun = new sfn.Choice(scope, label('Version trained with lineage?'))
    .when(sfn.Condition.and(
      sfn.Condition.isPresent(`${o.resultPath}.runs.ContextSummaries[0].ContextArn`),
      sfn.Condition.isPresent(`${o.resultPath}.action.ActionArn`),
    ), link)
    // Registered without a run context (by hand, or before runs recorded lineage): the deployment is recorded, unlinked.
    .otherwise(o.next);
  return find.next(record).next(hasRun);
}
