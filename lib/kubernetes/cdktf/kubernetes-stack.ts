import { Fn, S3Backend, TerraformResource, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { DataKubernetesResource } from '@cdktf/provider-kubernetes/lib/data-kubernetes-resource';
import { DataAwsEksClusterAuth } from '@cdktf/provider-aws/lib/data-aws-eks-cluster-auth';
import { DataAwsSsmParameter } from '@cdktf/provider-aws/lib/data-aws-ssm-parameter';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { registryParameterNames } from '../../registry/model-registry-props';
import { clusterParameterNames } from '../../training/cluster-options';
import { WorkloadDeclaration } from '../spec/declaration';
import { KubernetesManifest, manifestKey } from '../spec/manifest';
import { apiGroupOf } from '../spec/operators';
import { KSERVE_SERVING_RUNTIMES, RUNTIME_FOR_FORMAT, modelFormatsOf } from '../spec/serving-runtimes';
import { KubernetesWorkloads, kubernetesWorkloads } from '../spec/workloads';
import { renderManifest, terraformResourceType } from './typed-resources';

/** Props of a {@link KubernetesStack}. */
export interface KubernetesStackProps {
  /** What to create in the cluster. Its project and environment select the cluster's SSM parameters. */
  readonly declaration: WorkloadDeclaration;
  /** AWS region of the cluster and its SSM parameters. */
  readonly region: string;
  /** S3 bucket of the Terraform state (versioned, encrypted: created outside this stack). */
  readonly stateBucket: string;
  /**
   * Rewrite every image the layer renders to the training cluster's pull-through cache, whose
   * registry host the cluster engine publishes to SSM (`ClusterParameterNames.imageRegistry`) when
   * it has a `pullThroughCache`: the cluster's subnets have no NAT, so its nodes pull only from ECR.
   * Ignored when the declaration sets `imageRegistry`.
   * @default false: images are pulled from their upstream registries (needs internet egress)
   */
  readonly imageRegistryFromCluster?: boolean;
  /**
   * Key of the state object.
   * @default `<project>/<environment>/kubernetes.tfstate`
   */
  readonly stateKey?: string;
}

/** A manifest and the Terraform resource it was rendered to. */
export interface RenderedManifest {
  readonly manifest: KubernetesManifest;
  readonly resource: TerraformResource;
}

/** A Terraform construct ID for a manifest, stable as long as its identity is. */
export function manifestConstructId(m: KubernetesManifest): string {
  return [m.kind, m.metadata.namespace, m.metadata.name].filter(Boolean).join('-');
}

/**
 * One environment's in-cluster objects as a cdktf stack. The kubernetes provider connects to
 * the EKS training cluster with the values TrainingCluster publishes to SSM Parameter Store
 * (cluster name, endpoint, CA) and a short-lived token from `aws_eks_cluster_auth`; the state
 * lives in S3 with native S3 locking (`use_lockfile`, Terraform 1.10 or later). Namespaced
 * objects depend on their namespace; custom resources need their operators' CRDs installed
 * (KServe, Kubeflow Trainer, Kueue), and `kubernetes_manifest` reads them at plan time.
 */
export class KubernetesStack extends TerraformStack {
  /** The manifests this stack renders (the spec's output, unchanged). */
  public readonly workloads: KubernetesWorkloads;
  /** Every manifest with the resource it became, in apply order. */
  public readonly rendered: readonly RenderedManifest[];

  constructor(scope: Construct, id: string, props: KubernetesStackProps) {
    super(scope, id);
    // Values cross engines through SSM: without an explicit bucket, read the registry's.
    const given = props.declaration;
    const decl: WorkloadDeclaration = {
      ...given,
      artifactBucket: given.artifactBucket ?? new DataAwsSsmParameter(this, 'ArtifactBucket', {
        name: registryParameterNames(given.project, given.environment).artifactBucket,
      }).value,
      imageRegistry: given.imageRegistry ?? (props.imageRegistryFromCluster ? new DataAwsSsmParameter(this, 'ImageRegistry', {
        name: clusterParameterNames(given.project, given.environment).imageRegistry,
      }).value : undefined),
    };
    this.workloads = kubernetesWorkloads(decl, this.node.path);

    new S3Backend(this, {
      bucket: props.stateBucket,
      key: props.stateKey ?? `${decl.project}/${decl.environment}/kubernetes.tfstate`,
      region: props.region,
      encrypt: true,
    });
    this.addOverride('terraform.backend.s3.use_lockfile', true);

    new AwsProvider(this, 'Aws', { region: props.region });
    const names = clusterParameterNames(decl.project, decl.environment);
    const clusterName = new DataAwsSsmParameter(this, 'ClusterName', { name: names.clusterName });
    const endpoint = new DataAwsSsmParameter(this, 'ClusterEndpoint', { name: names.endpoint });
    const ca = new DataAwsSsmParameter(this, 'ClusterCertificateAuthority', { name: names.certificateAuthority });
    const auth = new DataAwsEksClusterAuth(this, 'ClusterAuth', { name: clusterName.value });
    new KubernetesProvider(this, 'Kubernetes', {
      host: endpoint.value,
      clusterCaCertificate: Fn.base64decode(ca.value),
      token: auth.token,
    });

    const rendered: RenderedManifest[] = [];
    const namespaces = new Map<string, TerraformResource>();
    const crds = new Map<string, DataKubernetesResource>();
    const runtimes = new Map<string, DataKubernetesResource>();
    for (const m of this.workloads.all) {
      const ns = m.metadata.namespace ? namespaces.get(m.metadata.namespace) : undefined;
      const crd = this.crdOf(m, crds);
      const runtime = this.servingRuntimeOf(m, runtimes);
      const resource = renderManifest(this, manifestConstructId(m), m, [...(ns ? [ns] : []), ...(crd ? [crd] : []), ...(runtime ? [runtime] : [])]);
      if (m.apiVersion === 'v1' && m.kind === 'Namespace') namespaces.set(m.metadata.name, resource);
      rendered.push({ manifest: m, resource });
    }
    this.rendered = rendered;
  }

  /**
   * For a custom resource, a read of its CustomResourceDefinition (`<plural>.<group>`) that the
   * resource depends on, with a postcondition that fails the run with a clear message when the
   * operator chart (installed by the CDK side, `installOperators`) has not installed it yet.
   */
  private crdOf(m: KubernetesManifest, crds: Map<string, DataKubernetesResource>): DataKubernetesResource | undefined {
    if (terraformResourceType(m) !== 'kubernetes_manifest') return undefined;
    const name = crdName(m);
    let crd = crds.get(name);
    if (!crd) {
      crd = new DataKubernetesResource(this, `Crd-${name.replace(/\./g, '-')}`, {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name },
        lifecycle: {
          postcondition: [{
            condition: '${self.object != null}',
            errorMessage: `CustomResourceDefinition ${name} is missing: install the operators (installOperators, in the training cluster's cdk deploy) before this stack.`,
          }],
        },
      });
      crds.set(name, crd);
    }
    return crd;
  }

  /**
   * For an InferenceService of a format the operator charts serve, a read of the
   * ClusterServingRuntime that `installOperators` enables for it (kserve-runtime-configs; this
   * stack installs no chart), with a postcondition that fails the run when it is missing or
   * disabled: KServe would find no runtime for the model. A format the charts do not serve (a
   * runtime the team brings) is not checked.
   */
  private servingRuntimeOf(m: KubernetesManifest, runtimes: Map<string, DataKubernetesResource>): DataKubernetesResource | undefined {
    const format = modelFormatsOf([m])[0];
    const key = format === undefined ? undefined : RUNTIME_FOR_FORMAT[format];
    const name = KSERVE_SERVING_RUNTIMES.find((r) => r.key === key)?.names[0];
    if (name === undefined) return undefined;
    let runtime = runtimes.get(name);
    if (!runtime) {
      runtime = new DataKubernetesResource(this, `ServingRuntime-${name}`, {
        apiVersion: 'serving.kserve.io/v1alpha1',
        kind: 'ClusterServingRuntime',
        metadata: { name },
        lifecycle: {
          postcondition: [{
            condition: '${self.object != null && !try(self.object.spec.disabled, false)}',
            errorMessage: `ClusterServingRuntime ${name} (model format ${format}) is missing or disabled: install the operators with installOperators servingModelFormats including "${format}" before this stack.`,
          }],
        },
      });
      runtimes.set(name, runtime);
    }
    return runtime;
  }

  /** The rendered resource of a manifest, by its identity (`apiVersion/kind/namespace/name`). */
  public resourceFor(key: string): TerraformResource | undefined {
    return this.rendered.find((r) => manifestKey(r.manifest) === key)?.resource;
  }
}

/** The CustomResourceDefinition name of a custom resource: `<plural>.<group>` (each kind the spec renders pluralizes with `s`). */
export function crdName(m: KubernetesManifest): string {
  return `${m.kind.toLowerCase()}s.${apiGroupOf(m.apiVersion)}`;
}
