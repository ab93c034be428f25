import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { buildDefaultApp } from '../../bin/main';
import { ModelRegistry } from '../../lib/registry';
import { SKIP_BUNDLING, testApp, testStack } from '../helpers/app';

/**
 * Issue 19, experiments: "when the MLflow tracking server is not enabled, nothing half-configured is
 * left behind". The default app (dev) does not enable it: no tracking server, no role or grant for
 * it, no sagemaker-mlflow permission, no state that would log to it, in any stack of the stage.
 * When it is enabled, every run is logged there by a Lambda function that signs the MLflow REST
 * calls with SigV4 (Step Functions cannot sign them itself); that function, its role and the states
 * that call it exist only then (test/training/mlflow-workflow.test.ts, mlflow-logger.test.ts).
 */
describe('MLflow not enabled: nothing half-configured', () => {
  const { stages } = buildDefaultApp(testApp({ ...SKIP_BUNDLING }));
  const stage = [...stages.values()][0];
  const stacks = stage.node.findAll().filter((c): c is Stack => Stack.isStack(c));
  const templates = stacks.map((s) => [s.stackName, JSON.stringify(Template.fromStack(s).toJSON())] as const);

  test('the registry exposes no server and refuses grantTracking with a ValidationError naming the prop', () => {
    expect(stage.registry.trackingServerArn).toBeUndefined();
    expect(stage.registry.trackingServerName).toBeUndefined();
    expect(stage.registry.trackingArtifactStoreUri).toBeUndefined();
    const role = new iam.Role(Stack.of(stage.registry), 'Probe', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    expect(() => stage.registry.grantTracking(role)).toThrow(/grantTracking[^\n]*props\.mlflow\.enabled: true/);
  });

  test('no stack of the stage has a tracking server, an MLflow permission, or a state or resource that names MLflow', () => {
    expect(stacks.length).toBeGreaterThan(3);
    for (const [name, text] of templates) {
      expect([name, text.match(/AWS::SageMaker::MlflowTrackingServer|sagemaker-mlflow:|MlflowTrackingServer|[Mm]lflow/g)]).toEqual([name, null]);
    }
  });

  test('enabled, the same registry provisions the server, its role and the grant (the check above would see them)', () => {
    const stack = testStack();
    const registry = new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn' }], mlflow: { enabled: true } });
    const role = new iam.Role(stack, 'Client', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    registry.grantTracking(role);
    const text = JSON.stringify(Template.fromStack(stack).toJSON());
    expect(text).toMatch(/AWS::SageMaker::MlflowTrackingServer/);
    expect(text).toMatch(/sagemaker-mlflow:CreateRun/);
  });
});
