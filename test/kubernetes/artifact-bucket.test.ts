import { Testing } from 'cdktf';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ModelRegistry, registryParameterNames } from '../../lib/registry';
import { KubernetesStack, kubernetesWorkloads } from '../../lib/kubernetes';
import { testStack } from '../helpers/app';
import { twoTeams } from './fixtures';

describe('the artifact bucket crosses engines through SSM', () => {
  test('the registry publishes its bucket name under the documented parameter', () => {
    const stack = testStack();
    new ModelRegistry(stack, 'Registry', { models: [{ name: 'churn' }] });
    Template.fromStack(stack).hasResourceProperties('AWS::SSM::Parameter', {
      Name: registryParameterNames('mlops', 'prod').artifactBucket,
      Value: { Ref: Match.stringLikeRegexp('RegistryArtifactBucket') },
    });
    expect(registryParameterNames('mlops', 'prod').artifactBucket).toBe('/mlops/prod/registry/artifact-bucket');
  });

  test('without a bucket, the cdktf stack reads that parameter and serves models from it', () => {
    const decl = twoTeams({ artifactBucket: undefined });
    const stack = new KubernetesStack(Testing.app(), 'K8s', { declaration: decl, region: 'eu-west-1', stateBucket: 'state' });
    const synth = JSON.parse(Testing.synth(stack)) as { data: { aws_ssm_parameter: Record<string, { name: string }> } };
    expect(Object.values(synth.data.aws_ssm_parameter).map((p) => p.name)).toContain(`/${decl.project}/${decl.environment}/registry/artifact-bucket`);
    const services = stack.workloads.all.filter((m) => m.kind === 'InferenceService');
    expect(services.length).toBeGreaterThan(0);
    for (const s of services) expect(JSON.stringify(s)).toMatch(/"storageUri":"s3:\/\/\$\{TfToken\[/);
  });

  test('fails when models are served from manifests built without a bucket', () => {
    expect(() => kubernetesWorkloads(twoTeams({ artifactBucket: undefined }))).toThrow(/artifactBucket \(undefined\): is required to serve models/);
  });
});
