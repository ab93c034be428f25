import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Testing } from 'cdktf';
import { Template } from 'aws-cdk-lib/assertions';
import { kubernetesApp } from '../../lib/kubernetes';
import { EXAMPLE_DECLARATION, buildKubernetesCdkExample, buildKubernetesTerraformExample } from '../../examples/kubernetes';
import { testApp } from '../helpers/app';

describe('examples/kubernetes.ts', () => {
  test('the Terraform way synthesizes offline to cdktf.out, with no terraform binary', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-example-'));
    const app = kubernetesApp({ outdir });
    const stack = buildKubernetesTerraformExample(app);
    app.synth();
    const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'acme-prod-kubernetes', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(tf.resource.kubernetes_manifest)).toContain('InferenceService-vision-defect-detector');
    const inMemory = JSON.parse(Testing.synth(stack)).resource as Record<string, object>;
    expect(Object.fromEntries(Object.entries(tf.resource as Record<string, object>).map(([k, v]) => [k, Object.keys(v)])))
      .toEqual(Object.fromEntries(Object.entries(inMemory).map(([k, v]) => [k, Object.keys(v)])));
  });

  test('the CDK way synthesizes offline: a kubectl provider from a referenced layer, manifests in three custom resources', () => {
    const app = testApp();
    const stack = buildKubernetesCdkExample(app);
    const t = Template.fromStack(stack);
    t.resourceCountIs('Custom::AWSCDK-EKS-KubernetesResource', 1 + EXAMPLE_DECLARATION.teams.length);
    // The operators come first: every manifest set that uses a custom resource waits for a Helm release.
    t.resourceCountIs('Custom::AWSCDK-EKS-HelmChart', 8);
    for (const r of Object.values(t.findResources('Custom::AWSCDK-EKS-KubernetesResource'))) {
      expect((r.DependsOn as string[]).some((d) => /Operator/.test(d))).toBe(true);
    }
    // The kubectl provider lives in a nested stack; the layer is referenced by ARN, so nothing bundles with Docker.
    expect(app.synth().stacks.length).toBeGreaterThan(0);
  });
});
