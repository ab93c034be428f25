/**
 * The Kubernetes layer of a two-team training cluster, deployed either way:
 *
 * - with Terraform: `buildKubernetesTerraformExample()` is a cdktf app whose stack reads the
 *   cluster's connection values from the SSM parameters TrainingCluster publishes under
 *   /acme/prod/training/eks/ (run `npx ts-node --swc examples/kubernetes.ts` to write cdktf.out/);
 * - with CDK only: `buildKubernetesCdkExample()` applies the same manifests with `addManifest`
 *   to an aws-eks-v2 cluster that has a kubectl provider (one `cdk deploy`, no Terraform).
 */
import { App, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KubernetesStack, WorkloadDeclaration, addWorkloadManifests, installOperators, kubernetesApp, kubernetesWorkloads } from '../lib/kubernetes';

/** Two teams (vision with GPUs, forecasting without), each serving one model from the registry's artifact bucket. */
export const EXAMPLE_DECLARATION: WorkloadDeclaration = {
  project: 'acme',
  environment: 'prod',
  vpcCidr: '10.80.0.0/16',
  artifactBucket: 'acme-prod-model-artifacts',
  teams: [
    { name: 'vision', quota: { cpu: '64', memory: '512Gi', gpu: 8 }, containerLimits: { maxGpuPerContainer: 4 }, developersGroup: 'vision-developers' },
    { name: 'forecasting', quota: { cpu: '16', memory: '64Gi' }, developersGroup: 'forecasting-developers' },
  ],
  models: [
    { name: 'defect-detector', team: 'vision', modelFormat: 'pytorch', artifact: 'v3/', minReplicas: 2, maxReplicas: 4, resources: { cpu: '4', memory: '16Gi', gpu: 1 } },
    { name: 'demand', team: 'forecasting', modelFormat: 'xgboost', artifact: 'v12/' },
  ],
};

/** The Terraform way: one cdktf stack for the environment. */
export function buildKubernetesTerraformExample(app = kubernetesApp()): KubernetesStack {
  return new KubernetesStack(app, 'acme-prod-kubernetes', {
    declaration: EXAMPLE_DECLARATION,
    region: 'eu-west-1',
    stateBucket: 'acme-prod-terraform-state',
  });
}

/**
 * The CDK way, on a cluster this app owns. aws-eks-v2 applies manifests through a kubectl
 * provider (a Lambda function), which it creates only when given a kubectl layer: publish one
 * from `@aws-cdk/lambda-layer-kubectl-v35` (`new KubectlV35Layer(this, 'Kubectl')`, the cluster's minor, a prebuilt
 * zip: no Docker) or, as here, reference one by ARN. The operators (cert-manager, KServe, Kueue,
 * Kubeflow Trainer, the NVIDIA device plugin, the cluster autoscaler) are installed first, and every
 * custom resource waits for the chart that brings its CRD. This VPC has a NAT gateway, so the
 * kubectl provider pulls the charts from their upstream repositories; in a VPC without internet
 * egress, give `pullThroughCache` and `mirrors` (ECR copies of what the cache cannot serve), as
 * examples/training-eks.ts does.
 */
export function buildKubernetesCdkExample(app: App = new App()): Stack {
  const stack = new Stack(app, 'acme-prod-kubernetes-cdk', { env: { account: '111111111111', region: 'eu-west-1' } });
  const vpc = new ec2.Vpc(stack, 'Vpc', { ipAddresses: ec2.IpAddresses.cidr(EXAMPLE_DECLARATION.vpcCidr), maxAzs: 2, natGateways: 1 });
  const version = eks.KubernetesVersion.V1_35;
  const cluster = new eks.Cluster(stack, 'Cluster', {
    version,
    vpc,
    defaultCapacityType: eks.DefaultCapacityType.NODEGROUP,
    kubectlProviderOptions: {
      kubectlLayer: lambda.LayerVersion.fromLayerVersionArn(stack, 'KubectlLayer', 'arn:aws:lambda:eu-west-1:111111111111:layer:kubectl-v35:1'),
    },
  });
  const operators = installOperators(cluster, { clusterName: cluster.clusterName, region: stack.region, kubernetesVersion: version.version });
  addWorkloadManifests(cluster, kubernetesWorkloads(EXAMPLE_DECLARATION, stack.node.path), operators);
  return stack;
}

if (require.main === module) {
  const app = kubernetesApp();
  buildKubernetesTerraformExample(app);
  app.synth();
}
