// The only module that maps spec manifests onto @cdktf/provider-kubernetes resources. Deep
// imports only: the provider's package root loads every resource class (seconds, a gigabyte).
import { ITerraformDependable, TerraformResource } from 'cdktf';
import { Construct } from 'constructs';
import { LimitRangeV1, LimitRangeV1Config } from '@cdktf/provider-kubernetes/lib/limit-range-v1';
import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import { NamespaceV1 } from '@cdktf/provider-kubernetes/lib/namespace-v1';
import { NetworkPolicyV1, NetworkPolicyV1Config } from '@cdktf/provider-kubernetes/lib/network-policy-v1';
import { PodDisruptionBudgetV1, PodDisruptionBudgetV1Config } from '@cdktf/provider-kubernetes/lib/pod-disruption-budget-v1';
import { PriorityClassV1 } from '@cdktf/provider-kubernetes/lib/priority-class-v1';
import { ResourceQuotaV1 } from '@cdktf/provider-kubernetes/lib/resource-quota-v1';
import { RoleBindingV1, RoleBindingV1Config } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1, RoleV1Config } from '@cdktf/provider-kubernetes/lib/role-v1';
import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { KubernetesManifest } from '../spec/manifest';

/* eslint-disable @typescript-eslint/no-explicit-any -- the spec's JSON is reshaped into the provider's typed blocks here */
type Any = any;

/** The Terraform resource type each core kind renders to; anything else renders to `kubernetes_manifest`. */
export const TYPED_RESOURCE_TYPES: Readonly<Record<string, string>> = {
  'v1/Namespace': 'kubernetes_namespace_v1',
  'v1/ResourceQuota': 'kubernetes_resource_quota_v1',
  'v1/LimitRange': 'kubernetes_limit_range_v1',
  'v1/ServiceAccount': 'kubernetes_service_account_v1',
  'rbac.authorization.k8s.io/v1/Role': 'kubernetes_role_v1',
  'rbac.authorization.k8s.io/v1/RoleBinding': 'kubernetes_role_binding_v1',
  'networking.k8s.io/v1/NetworkPolicy': 'kubernetes_network_policy_v1',
  'scheduling.k8s.io/v1/PriorityClass': 'kubernetes_priority_class_v1',
  'policy/v1/PodDisruptionBudget': 'kubernetes_pod_disruption_budget_v1',
};

/** The Terraform resource type a manifest renders to. */
export function terraformResourceType(m: KubernetesManifest): string {
  return TYPED_RESOURCE_TYPES[`${m.apiVersion}/${m.kind}`] ?? 'kubernetes_manifest';
}

const meta = (m: KubernetesManifest) => ({ ...m.metadata });
const str = (v: unknown) => (v === undefined ? undefined : String(v));
const ports = (list: Any[] | undefined) => list?.map((p) => ({ protocol: p.protocol, port: str(p.port) }));
const peers = (list: Any[] | undefined) => list?.map((p) => ({ ipBlock: p.ipBlock, namespaceSelector: p.namespaceSelector, podSelector: p.podSelector }));

function networkPolicy(m: Any): NetworkPolicyV1Config {
  return {
    metadata: meta(m),
    spec: {
      podSelector: m.spec.podSelector,
      policyTypes: m.spec.policyTypes,
      ingress: m.spec.ingress?.map((r: Any) => ({ from: peers(r.from), ports: ports(r.ports) })),
      egress: m.spec.egress?.map((r: Any) => ({ to: peers(r.to), ports: ports(r.ports) })),
    },
  };
}

/**
 * Renders one manifest: a typed `*_v1` resource for the core kinds, `kubernetes_manifest` for
 * custom resources (KServe, Kubeflow Trainer, Kueue).
 */
export function renderManifest(scope: Construct, id: string, m: KubernetesManifest, dependsOn: ITerraformDependable[]): TerraformResource {
  const x = m as Any;
  const base = { dependsOn: dependsOn.length > 0 ? dependsOn : undefined };
  switch (terraformResourceType(m)) {
    case 'kubernetes_namespace_v1':
      return new NamespaceV1(scope, id, { ...base, metadata: meta(m) });
    case 'kubernetes_resource_quota_v1':
      return new ResourceQuotaV1(scope, id, { ...base, metadata: meta(m), spec: { hard: x.spec.hard } });
    case 'kubernetes_limit_range_v1': {
      const spec: LimitRangeV1Config['spec'] = {
        limit: x.spec.limits.map((l: Any) => ({ type: l.type, default: l.default, defaultRequest: l.defaultRequest, max: l.max, min: l.min })),
      };
      return new LimitRangeV1(scope, id, { ...base, metadata: meta(m), spec });
    }
    case 'kubernetes_service_account_v1':
      return new ServiceAccountV1(scope, id, { ...base, metadata: meta(m), automountServiceAccountToken: x.automountServiceAccountToken });
    case 'kubernetes_role_v1': {
      const rule: RoleV1Config['rule'] = x.rules.map((r: Any) => ({ apiGroups: r.apiGroups, resources: r.resources, verbs: r.verbs }));
      return new RoleV1(scope, id, { ...base, metadata: meta(m), rule });
    }
    case 'kubernetes_role_binding_v1': {
      const config: RoleBindingV1Config = { ...base, metadata: meta(m), roleRef: x.roleRef, subject: x.subjects };
      return new RoleBindingV1(scope, id, config);
    }
    case 'kubernetes_network_policy_v1':
      return new NetworkPolicyV1(scope, id, { ...base, ...networkPolicy(x) });
    case 'kubernetes_priority_class_v1':
      return new PriorityClassV1(scope, id, {
        ...base, metadata: meta(m), value: x.value, globalDefault: x.globalDefault, preemptionPolicy: x.preemptionPolicy, description: x.description,
      });
    case 'kubernetes_pod_disruption_budget_v1': {
      const spec: PodDisruptionBudgetV1Config['spec'] = {
        maxUnavailable: str(x.spec.maxUnavailable), minAvailable: str(x.spec.minAvailable), selector: x.spec.selector,
      };
      return new PodDisruptionBudgetV1(scope, id, { ...base, metadata: meta(m), spec });
    }
    default:
      return new Manifest(scope, id, { ...base, manifest: x });
  }
}
