/**
 * KServe v0.20.0 ships its ClusterServingRuntimes in a chart of their own, kserve-runtime-configs
 * (kserve/kserve v0.20.0, charts/kserve-runtime-configs/Chart.yaml and README.md), which creates
 * none unless `kserve.servingruntime.enabled: true` (its values.yaml). An InferenceService that
 * names only `modelFormat` needs an enabled runtime listing the format with `autoSelect: true` and
 * protocol v1 (pkg/apis/serving/v1beta1/predictor_model.go, GetSupportingRuntimes); formats and
 * protocols per runtime are from charts/kserve-runtime-configs/files/runtimes/resources.yaml at v0.20.0.
 * The Trainer v2.3.0 chart depends on jobset 0.12.0 (charts/kubeflow-trainer/Chart.yaml), whose
 * source values.yaml names the image tag `main` (kubernetes-sigs/jobset v0.12.0, charts/jobset/values.yaml).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { buildTrainingEks } from '../../examples/training-eks';
import { ValidationError } from '../../lib';
import {
  EcrPullThroughCache, KSERVE_SERVING_RUNTIMES, OPERATOR_RELEASES, OPERATOR_VERSIONS, OperatorChart, PullThroughUpstream, RUNTIME_FOR_FORMAT,
  addWorkloadManifests, installOperators, kubernetesWorkloads, modelFormatsOf, operatorCharts, runtimesServing,
} from '../../lib/kubernetes';
import { testApp } from '../helpers/app';
import { twoTeams } from './fixtures';

const env = { account: '111111111111', region: 'eu-west-1' };
const options = { clusterName: 'acme-prod-training', region: 'eu-west-1', kubernetesVersion: '1.35' };
type RuntimeValues = { kserve: { servingruntime: Record<string, { disabled?: boolean }> } };
const chartOf = (charts: readonly OperatorChart[], release: string) => charts.find((c) => c.release === release);

function cluster() {
  const stack = new Stack(new App(), 'Kubernetes', { env });
  const kubectlProvider = eks.KubectlProvider.fromKubectlProviderAttributes(stack, 'Kubectl', { serviceToken: 'arn:aws:lambda:eu-west-1:111111111111:function:kubectl' });
  return { stack, cluster: eks.Cluster.fromClusterAttributes(stack, 'Cluster', { clusterName: 'acme-prod-training', kubectlProvider }) };
}

describe('ClusterServingRuntimes for the InferenceServices the spec renders', () => {
  test('kserve-runtime-configs v0.20.0 is pinned, from the OCI registry, after the CRDs and the controller', () => {
    const charts = operatorCharts(options);
    const runtimes = chartOf(charts, 'kserve-runtime-configs');
    expect(runtimes).toMatchObject({
      chart: 'kserve-runtime-configs', repository: 'oci://ghcr.io/kserve/charts/kserve-runtime-configs', version: 'v0.20.0', namespace: 'kserve',
    });
    expect(runtimes!.after).toEqual(expect.arrayContaining([OPERATOR_RELEASES.kserveCrd, OPERATOR_RELEASES.kserve]));
    const order = charts.map((c) => c.release);
    expect(order.indexOf('kserve-runtime-configs')).toBeGreaterThan(order.indexOf(OPERATOR_RELEASES.kserve));
  });

  test('every modelFormat rendered by the spec has an enabled runtime of the pinned charts, and only those are enabled', () => {
    for (const decl of [twoTeams(), twoTeams({ models: [{ name: 'churn', team: 'forecasting', modelFormat: 'sklearn', artifact: 'model.joblib' }] })]) {
      const formats = modelFormatsOf(kubernetesWorkloads(decl).all);
      expect(formats.length).toBeGreaterThan(0);
      const values = chartOf(operatorCharts({ ...options, servingModelFormats: formats }), 'kserve-runtime-configs')!.values;
      for (const f of formats) expect([f, runtimesServing(f, values)]).toEqual([f, [expect.stringMatching(/^kserve-/)]]);
      const enabled = KSERVE_SERVING_RUNTIMES.filter((r) => (values as unknown as RuntimeValues).kserve.servingruntime[r.key].disabled === false).map((r) => r.key);
      expect(enabled.sort()).toEqual([...new Set(formats.map((f) => RUNTIME_FOR_FORMAT[f]))].sort());
    }
    expect(modelFormatsOf(kubernetesWorkloads(twoTeams()).all)).toEqual(['pytorch', 'xgboost']);
    const values = chartOf(operatorCharts({ ...options, servingModelFormats: ['pytorch', 'xgboost'] }), 'kserve-runtime-configs')!.values;
    expect(runtimesServing('pytorch', values)).toEqual(['kserve-torchserve']);
    expect(runtimesServing('xgboost', values)).toEqual(['kserve-xgbserver']);
    // The chart's default creates no runtime at all.
    expect(runtimesServing('xgboost', { kserve: { servingruntime: { enabled: false } } })).toEqual([]);
  });

  test('by default every format the layer knows is served; an unknown format fails synth', () => {
    const values = chartOf(operatorCharts(options), 'kserve-runtime-configs')!.values;
    for (const f of Object.keys(RUNTIME_FOR_FORMAT)) expect([f, runtimesServing(f, values).length]).toEqual([f, 1]);
    // vLLM's runtime has the moving tag `latest` and mlserver/triton speak only v2: never enabled.
    expect((values as unknown as RuntimeValues).kserve.servingruntime.vllmserver.disabled).toBe(true);
    expect(() => operatorCharts({ ...options, servingModelFormats: ['onnx'] })).toThrow(ValidationError);
    expect(() => operatorCharts({ ...options, servingModelFormats: ['onnx'] })).toThrow(/servingModelFormats \("onnx"\): must be a model format/);
  });

  test('addWorkloadManifests fails when an InferenceService\'s format has no runtime, and waits for the runtimes', () => {
    const a = cluster();
    const operators = installOperators(a.cluster, { ...options, servingModelFormats: ['pytorch'] });
    expect(() => addWorkloadManifests(a.cluster, kubernetesWorkloads(twoTeams(), a.stack.node.path), operators))
      .toThrow(/operators \(kserve-runtime-configs\) \("xgboost"\): an InferenceService names this modelFormat but no enabled ClusterServingRuntime serves it/);
    const b = cluster();
    addWorkloadManifests(b.cluster, kubernetesWorkloads(twoTeams(), b.stack.node.path), installOperators(b.cluster, { ...options, servingModelFormats: ['pytorch', 'xgboost'] }));
    const t = Template.fromStack(b.stack);
    const runtimesId = Object.keys(t.findResources('Custom::AWSCDK-EKS-HelmChart')).find((id) => /Operatorkserveruntimeconfigs/.test(id))!;
    const kserveId = Object.keys(t.findResources('Custom::AWSCDK-EKS-HelmChart')).find((id) => /Operatorkserve[0-9A-F]{8}$/.test(id))!;
    expect(t.toJSON().Resources[runtimesId].DependsOn).toContain(kserveId);
    const vision = Object.entries(t.findResources('Custom::AWSCDK-EKS-KubernetesResource')).find(([id]) => id.includes('MlopsTeamvision'))!;
    expect(vision[1].DependsOn).toContain(runtimesId);
  });

  test('through a pull-through cache, the enabled runtimes\' images point at ECR; disabled ones need no copy', () => {
    const a = cluster();
    const keyless = EcrPullThroughCache.fromRules(a.stack, 'Keyless', [PullThroughUpstream.KUBERNETES, PullThroughUpstream.QUAY]);
    // Without a Docker Hub rule, the torchserve image (Docker Hub) needs a copy; the disabled nvcr.io Triton image does not.
    let error: Error | undefined;
    try { installOperators(a.cluster, { ...options, servingModelFormats: ['pytorch'], pullThroughCache: keyless }); } catch (e) { error = e as Error; }
    expect(error!.message).toMatch(/mirrors\.images \(kserve-runtime-configs\) \(undefined\): must give an ECR copy of pytorch\/torchserve-kfs \(chart key kserve\.servingruntime\.torchserve\.image\)/);
    expect(error!.message).not.toMatch(/tritonserver|xgbserver/);
  });

  test('the example enables only the pytorch runtime, pulled through the cache', () => {
    const built = buildTrainingEks(testApp(), { kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(new Stack(new App(), 'Probe'), 'Layer', 'arn:aws:lambda:eu-west-1:111111111111:layer:kubectl-v35:1') });
    const chart = Object.values(Template.fromStack(built.stack).findResources('Custom::AWSCDK-EKS-HelmChart')).find((c) => c.Properties.Release === 'kserve-runtime-configs')!;
    const values = JSON.parse(JSON.stringify(built.stack.resolve(chart.Properties.Values)));
    const text = JSON.stringify(values);
    expect(text).toContain('/docker-hub/pytorch/torchserve-kfs');
    expect(text).toMatch(/\\"torchserve\\":\{\\"disabled\\":false/);
    expect(text).toMatch(/\\"xgbserver\\":\{\\"disabled\\":true/);
  });
});

describe('the Trainer chart\'s JobSet subchart runs a pinned image', () => {
  test('jobset.image.tag is the release of the jobset chart Trainer 2.3.0 depends on (0.12.0)', () => {
    expect(OPERATOR_VERSIONS.jobset).toBe('v0.12.0');
    expect(chartOf(operatorCharts(options), OPERATOR_RELEASES.trainer)!.values).toMatchObject({ jobset: { image: { tag: 'v0.12.0' } } });
    const { stack, cluster: c } = cluster();
    installOperators(c, options);
    const trainer = Object.values(Template.fromStack(stack).findResources('Custom::AWSCDK-EKS-HelmChart')).find((x) => x.Properties.Release === 'kubeflow-trainer')!;
    expect(JSON.parse(stack.resolve(trainer.Properties.Values))).toMatchObject({ jobset: { image: { tag: 'v0.12.0' } } });
  });
});
