/**
 * The Terraform path of the training cluster (bin/kubernetes.ts) renders no image outside the
 * registry the cluster publishes: its pull-through cache in the cluster's account and region.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Testing } from 'cdktf';
import { EcrPullThroughCache, kubernetesApp } from '../../lib/kubernetes';
import { clusterParameterNames } from '../../lib/training/cluster-options';
import { buildKubernetesApp } from '../../bin/kubernetes';
import { clusterEngine, clusterInputs } from '../training/cluster-fixtures';
import { testStack } from '../helpers/app';

/** Every `image` value in a tree, with its path. */
function images(node: unknown, at = '', out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (Array.isArray(node)) node.forEach((x, i) => images(x, `${at}[${i}]`, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (/^image$/i.test(k)) out.push([`${at}.${k}`, v]);
      else images(v, `${at}.${k}`, out);
    }
  }
  return out;
}

describe('bin/kubernetes.ts pulls every image through the cluster\'s ECR', () => {
  test.each(['dev', 'prod'])('%s: every image is <the published image registry>/<prefix>/...', (env) => {
    const stack = buildKubernetesApp(kubernetesApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdktf-')), context: { env } }));
    const tf = JSON.parse(Testing.synth(stack));
    expect(tf.data.aws_ssm_parameter.ImageRegistry.name).toBe(clusterParameterNames('mlops', env).imageRegistry);
    const found = images(tf.resource);
    expect(found.length).toBeGreaterThanOrEqual(2); // the training runtime and KServe's storage initializer
    for (const [at, ref] of found) expect([at, ref]).toEqual([at, expect.stringMatching(/^\$\{data\.aws_ssm_parameter\.ImageRegistry\.value\}\/(docker-hub|github|kubernetes|quay|ecr-public)\//)]);
  });

  test('the cluster engine publishes its pull-through cache\'s registry, in its own account and region, under that name', () => {
    const stack = testStack();
    const cache = new EcrPullThroughCache(stack, 'Cache');
    clusterEngine(stack, clusterInputs(stack), { pullThroughCache: cache });
    const param = Object.values(Template.fromStack(stack).findResources('AWS::SSM::Parameter'))
      .find((p) => p.Properties.Name === clusterParameterNames('mlops', 'prod').imageRegistry)!;
    expect(Stack.of(cache).resolve(param.Properties.Value)).toEqual({ 'Fn::Join': ['', ['123456789012.dkr.ecr.us-east-1.', { Ref: 'AWS::URLSuffix' }]] });
  });

  test('without a cache the engine publishes no registry', () => {
    const stack = testStack();
    clusterEngine(stack, clusterInputs(stack));
    expect(JSON.stringify(Template.fromStack(stack).findResources('AWS::SSM::Parameter'))).not.toContain('image-registry');
  });
});
