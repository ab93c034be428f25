import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  DEFAULT_PULL_THROUGH_PREFIXES, EcrPullThroughCache, PullThroughUpstream, installOperators, kubernetesWorkloads, podTemplatesOf,
} from '../../lib/kubernetes';
import { ValidationError } from '../../lib';
import { twoTeams } from './fixtures';

const env = { account: '111111111111', region: 'eu-west-1' };
const ECR = '111111111111.dkr.ecr.eu-west-1.amazonaws.com';
const secret = (stack: Stack, name: string) => secretsmanager.Secret.fromSecretNameV2(stack, name, name);
const allUpstreams = (stack: Stack) => [
  PullThroughUpstream.KUBERNETES, PullThroughUpstream.QUAY, PullThroughUpstream.ECR_PUBLIC,
  PullThroughUpstream.dockerHub(secret(stack, 'ecr-pullthroughcache/docker-hub')),
  PullThroughUpstream.githubContainerRegistry(secret(stack, 'ecr-pullthroughcache/github')),
];

describe('EcrPullThroughCache', () => {
  test('one AWS::ECR::PullThroughCacheRule per upstream, credentials only where ECR requires them', () => {
    const stack = new Stack(new App(), 'Cache', { env });
    const cache = new EcrPullThroughCache(stack, 'Cache', { upstreams: allUpstreams(stack) });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ECR::PullThroughCacheRule', 5);
    t.hasResourceProperties('AWS::ECR::PullThroughCacheRule', { EcrRepositoryPrefix: 'kubernetes', UpstreamRegistryUrl: 'registry.k8s.io' });
    t.hasResourceProperties('AWS::ECR::PullThroughCacheRule', { EcrRepositoryPrefix: 'quay', UpstreamRegistryUrl: 'quay.io' });
    t.hasResourceProperties('AWS::ECR::PullThroughCacheRule', { EcrRepositoryPrefix: 'ecr-public', UpstreamRegistryUrl: 'public.ecr.aws' });
    const rules = Object.values(t.findResources('AWS::ECR::PullThroughCacheRule')).map((r) => r.Properties);
    expect(rules.find((r) => r.EcrRepositoryPrefix === 'docker-hub')).toMatchObject({ UpstreamRegistryUrl: 'registry-1.docker.io', CredentialArn: expect.anything() });
    expect(rules.find((r) => r.EcrRepositoryPrefix === 'github')).toMatchObject({ UpstreamRegistryUrl: 'ghcr.io', CredentialArn: expect.anything() });
    expect(rules.filter((r) => r.CredentialArn !== undefined)).toHaveLength(2);
    expect(stack.resolve(cache.registry)).toEqual({ 'Fn::Join': ['', ['111111111111.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }]] });
    // The spec's default prefixes are this construct's: images the spec rewrites are those the rules serve.
    for (const u of allUpstreams(new Stack())) expect(DEFAULT_PULL_THROUGH_PREFIXES[u.host]).toBe(u.prefix);
  });

  test('the default caches only the upstreams that need no credential', () => {
    const stack = new Stack(new App(), 'Cache', { env });
    const cache = new EcrPullThroughCache(stack, 'Cache');
    expect(Object.keys(cache.prefixes)).toEqual(['registry.k8s.io', 'quay.io', 'public.ecr.aws']);
    Template.fromStack(stack).resourceCountIs('AWS::ECR::PullThroughCacheRule', 3);
  });

  test('grantPullThrough allows the first pull (import and repository creation) under the rules\' prefixes only', () => {
    const stack = new Stack(new App(), 'Cache', { env });
    const cache = new EcrPullThroughCache(stack, 'Cache');
    const role = new iam.Role(stack, 'Nodes', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
    cache.grantPullThrough(role);
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))[0].Properties.PolicyDocument.Statement[0];
    expect(policy.Action).toEqual(['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository']);
    expect(JSON.stringify(policy.Resource)).toMatch(/repository\/kubernetes\/\*.*repository\/quay\/\*.*repository\/ecr-public\/\*/);
  });

  test('fails when a credential secret is not named ecr-pullthroughcache/..., or a prefix repeats', () => {
    const stack = new Stack(new App(), 'Cache', { env });
    expect(() => new EcrPullThroughCache(stack, 'Bad', { upstreams: [PullThroughUpstream.dockerHub(secret(stack, 'dockerhub-token'))] }))
      .toThrow(/upstreams\[0\]\.credential \("dockerhub-token"\): the secret's name must begin with "ecr-pullthroughcache\/"/);
    expect(() => new EcrPullThroughCache(stack, 'Twice', { upstreams: [PullThroughUpstream.QUAY, PullThroughUpstream.QUAY] })).toThrow(ValidationError);
  });

  test('fails synth when two constructs create the same rule in one account and region; fromRules references them', () => {
    const app = new App();
    new EcrPullThroughCache(new Stack(app, 'ClusterA', { env }), 'Cache');
    new EcrPullThroughCache(new Stack(app, 'ClusterB', { env }), 'Cache');
    expect(() => app.synth()).toThrow(/prefix "kubernetes" in account 111111111111, region eu-west-1 is created by 2 constructs \(ClusterA\/Cache, ClusterB\/Cache\)/);

    const ok = new App();
    new EcrPullThroughCache(new Stack(ok, 'ClusterA', { env }), 'Cache');
    const b = new Stack(ok, 'ClusterB', { env });
    const shared = EcrPullThroughCache.fromRules(b, 'Cache', [PullThroughUpstream.KUBERNETES]);
    new EcrPullThroughCache(new Stack(ok, 'OtherRegion', { env: { ...env, region: 'us-east-1' } }), 'Cache');
    expect(() => ok.synth()).not.toThrow();
    Template.fromStack(b).resourceCountIs('AWS::ECR::PullThroughCacheRule', 0);
    expect(b.resolve(shared.imageFor('registry.k8s.io/kueue/kueue:v0.19.2'))).toEqual({ 'Fn::Join': ['', ['111111111111.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/kubernetes/kueue/kueue:v0.19.2']] });
  });

  test('the spec rewritten to the cache renders no image outside the account\'s ECR', () => {
    const w = kubernetesWorkloads(twoTeams({ imageRegistry: ECR }));
    // Predictors name no image: KServe takes it from the chart's ClusterServingRuntimes, which is why
    // installOperators requires values.kserve with a cache.
    const images = w.all.flatMap(podTemplatesOf).flatMap((t) => t.containers.map((c) => c.image)).filter((i) => i !== undefined);
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(String(image).startsWith(`${ECR}/`)).toBe(true);
  });
});

describe('installOperators through a pull-through cache (no internet egress)', () => {
  const options = { clusterName: 'acme-prod-training', region: 'eu-west-1', kubernetesVersion: '1.35' };
  function setup() {
    const stack = new Stack(new App(), 'Kubernetes', { env });
    const kubectlProvider = eks.KubectlProvider.fromKubectlProviderAttributes(stack, 'Kubectl', { serviceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:kubectl' });
    const cluster = eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'acme-prod-training', kubectlProvider });
    return { stack, cluster, cache: new EcrPullThroughCache(stack, 'Cache', { upstreams: allUpstreams(stack) }) };
  }

  test('fails naming every chart whose images or repository the cache cannot cover', () => {
    const { cluster, cache } = setup();
    const error = (() => { try { installOperators(cluster, { ...options, pullThroughCache: cache }); } catch (e) { return e as Error; } return undefined; })();
    expect(error).toBeInstanceOf(ValidationError);
    expect(error!.message).toMatch(/mirrors\.charts\.cert-manager \(undefined\): the chart's repository https:\/\/charts\.jetstack\.io is not reachable/);
    expect(error!.message).toMatch(/mirrors\.charts\.nvidia-device-plugin \(undefined\)/);
    expect(error!.message).toMatch(/mirrors\.charts\.cluster-autoscaler \(undefined\)/);
    expect(error!.message).toMatch(/mirrors\.images \(nvidia-device-plugin\) \(undefined\): must give an ECR copy of nvcr\.io\/nvidia\/k8s-device-plugin \(chart key image\.repository\).*nvcr\.io cannot have one/);
    // Every other image has a rule in this cache (Docker Hub and GHCR with credentials), at a key read from the pinned chart.
    expect(error!.message).not.toMatch(/mirrors\.images \((kueue|kserve|kubeflow-trainer|cert-manager|cluster-autoscaler)\)|mirrors\.charts\.(kueue|kserve|kubeflow-trainer)/);
  });

  test('without the Docker Hub and GHCR rules, the KServe, Trainer images need mirrors, named with their chart keys', () => {
    const { stack, cluster } = setup();
    const cache = EcrPullThroughCache.fromRules(stack, 'Keyless', [PullThroughUpstream.KUBERNETES, PullThroughUpstream.QUAY]);
    expect(() => installOperators(cluster, { ...options, pullThroughCache: cache })).toThrow(
      /mirrors\.images \(kserve\) \(undefined\): must give an ECR copy of kserve\/kserve-controller, kserve\/agent.*kserve\.controller\.image, kserve\.agent\.image/);
    expect(() => installOperators(cluster, { ...options, pullThroughCache: cache })).toThrow(
      /mirrors\.images \(kubeflow-trainer\) \(undefined\): must give an ECR copy of ghcr\.io\/kubeflow\/trainer\/trainer-controller-manager \(chart key image\.registry\)/);
  });

  test('fails when a chart copy\'s repository is not named <namespace>/<chart>, or names an unknown release', () => {
    const { stack, cluster, cache } = setup();
    const created = new ecr.Repository(stack, 'Created', { repositoryName: 'mirror/jetstack-cert-manager' });
    const imported = ecr.Repository.fromRepositoryName(stack, 'Imported', 'charts/autoscaler');
    const install = () => installOperators(cluster, { ...options, pullThroughCache: cache, mirrors: { charts: { 'cert-manager': created, 'cluster-autoscaler': imported, 'istio': imported } } });
    expect(install).toThrow(/mirrors\.charts\.cert-manager \("mirror\/jetstack-cert-manager"\): the repository's name must end with "\/cert-manager"/);
    expect(install).toThrow(/mirrors\.charts\.cluster-autoscaler \("charts\/autoscaler"\): the repository's name must end with "\/cluster-autoscaler"/);
    expect(install).toThrow(/mirrors\.charts\.istio \(Kubernetes\/Imported\): must name one of the releases/);
  });

  test('with the missing pieces mirrored, charts and every image key point at the account\'s ECR', () => {
    const { stack, cluster, cache } = setup();
    const chartRepo = (name: string) => ecr.Repository.fromRepositoryName(stack, `Chart-${name}`, `charts/${name}`);
    installOperators(cluster, {
      ...options, pullThroughCache: cache,
      mirrors: {
        charts: { 'cert-manager': chartRepo('cert-manager'), 'nvidia-device-plugin': chartRepo('nvidia-device-plugin'), 'cluster-autoscaler': chartRepo('cluster-autoscaler') },
        images: [{ upstream: 'nvcr.io/nvidia/k8s-device-plugin', repository: ecr.Repository.fromRepositoryName(stack, 'DevicePlugin', 'nvidia/k8s-device-plugin') }],
      },
    });
    const t = Template.fromStack(stack);
    const charts = Object.values(t.findResources('Custom::AWSCDK-EKS-HelmChart')).map((c) => stack.resolve(c.Properties));
    const chart = (release: string) => charts.find((c) => c.Release === release)!;
    const text = (v: unknown) => JSON.stringify(v);
    expect(text(chart('kserve-crd').Repository)).toContain('/github/kserve/charts/kserve-crd');
    expect(text(chart('kueue').Repository)).toContain('/kubernetes/kueue/charts/kueue');
    expect(text(chart('cert-manager').Repository)).toMatch(/"oci:\/\/111111111111\.dkr\.ecr\.eu-west-1\.",\{"Ref":"AWS::URLSuffix"\},"\/charts\/cert-manager"/);
    const values = (release: string) => JSON.stringify(chart(release).Values);
    expect(values('cluster-autoscaler')).toContain('/kubernetes/autoscaling/cluster-autoscaler');
    expect(values('cluster-autoscaler')).toContain('v1.35.0');
    expect(values('kubeflow-trainer')).toContain('\\"repository\\":\\"github/kubeflow/trainer/trainer-controller-manager');
    expect(values('kubeflow-trainer')).toContain('/kubernetes/jobset/jobset');
    expect(values('kserve')).toContain('/docker-hub/kserve/kserve-controller');
    expect(values('kserve')).toContain('/quay/brancz/kube-rbac-proxy:v0.18.0');
    expect(values('cert-manager')).toContain('/quay/jetstack/cert-manager-cainjector');
    expect(values('nvidia-device-plugin')).toContain('/nvidia/k8s-device-plugin');
    // Nothing any chart is told to pull is left on a public registry.
    for (const c of charts) expect(JSON.stringify([c.Repository, c.Values])).not.toMatch(/ghcr\.io|registry\.k8s\.io|quay\.io|nvcr\.io|https:\/\//);
  });
});
