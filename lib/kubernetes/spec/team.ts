import { teamNamespace, teamServiceAccount } from '../../training/cluster-options';
import { TeamWorkloadOptions, WORKLOAD_DEFAULTS, WorkloadDeclaration } from './declaration';
import { commonLabels } from './labels';
import { KubernetesManifest } from './manifest';
import { KUEUE_API_VERSION, priorityClassNames } from './cluster';
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from './pod-security';
import { mirroredImage } from './images';
import { canonicalQuantity } from './quantity';

/** Pod Security admission level of every team namespace, enforced, audited and warned. */
export const POD_SECURITY_LEVEL = 'restricted';
/** The Kueue LocalQueue in each team namespace: TrainJobs name it with the label `kueue.x-k8s.io/queue-name`. */
export const TRAINING_QUEUE_NAME = 'training';
/** The Kubeflow Trainer runtime in each team namespace: TrainJobs name it in `spec.runtimeRef`. */
export const TRAINING_RUNTIME_NAME = 'torch-distributed';

/** Names of a team's objects; the namespace and service account are the ones the EKS Pod Identity association uses. */
export function teamObjectNames(team: string) {
  return {
    namespace: teamNamespace(team),
    serviceAccount: teamServiceAccount(team),
    role: `${team}-workloads`,
    roleBinding: `${team}-workloads`,
    quota: 'team-quota',
    limitRange: 'container-limits',
  } as const;
}

const gpuOf = (t: TeamWorkloadOptions) => t.quota.gpu ?? 0;

/** The team's namespace, labelled for the restricted Pod Security Standard (enforce, audit and warn). */
export function teamNamespaceManifest(decl: WorkloadDeclaration, t: TeamWorkloadOptions): KubernetesManifest {
  const labels: Record<string, string> = { ...commonLabels(decl, t.name) };
  for (const mode of ['enforce', 'audit', 'warn']) {
    labels[`pod-security.kubernetes.io/${mode}`] = POD_SECURITY_LEVEL;
    labels[`pod-security.kubernetes.io/${mode}-version`] = 'latest';
  }
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name: teamObjectNames(t.name).namespace, labels } };
}

/** The namespace's quota: CPU and memory requests and limits, GPUs (extended resources are quota'd by request), pods. */
export function teamResourceQuota(decl: WorkloadDeclaration, t: TeamWorkloadOptions): KubernetesManifest {
  const n = teamObjectNames(t.name);
  return {
    apiVersion: 'v1', kind: 'ResourceQuota',
    metadata: { name: n.quota, namespace: n.namespace, labels: commonLabels(decl, t.name) },
    spec: {
      hard: {
        'requests.cpu': t.quota.cpu,
        'limits.cpu': t.quota.cpu,
        'requests.memory': t.quota.memory,
        'limits.memory': t.quota.memory,
        'requests.nvidia.com/gpu': String(gpuOf(t)),
        'pods': String(t.quota.pods ?? WORKLOAD_DEFAULTS.pods),
      },
    },
  };
}

/**
 * Container defaults (so that every pod counts against the quota) and the GPU maximum per
 * container. GPUs default to 0: a LimitRange maximum needs every container to state a limit.
 */
export function teamLimitRange(decl: WorkloadDeclaration, t: TeamWorkloadOptions): KubernetesManifest {
  const n = teamObjectNames(t.name);
  const l = t.containerLimits ?? {};
  const lim = l.defaultLimits ?? WORKLOAD_DEFAULTS.defaultLimits;
  const req = l.defaultRequests ?? WORKLOAD_DEFAULTS.defaultRequests;
  return {
    apiVersion: 'v1', kind: 'LimitRange',
    metadata: { name: n.limitRange, namespace: n.namespace, labels: commonLabels(decl, t.name) },
    spec: {
      limits: [{
        type: 'Container',
        default: { 'cpu': lim.cpu, 'memory': lim.memory, 'nvidia.com/gpu': '0' },
        defaultRequest: { 'cpu': req.cpu, 'memory': req.memory, 'nvidia.com/gpu': '0' },
        max: { 'nvidia.com/gpu': String(l.maxGpuPerContainer ?? gpuOf(t)) },
      }],
    },
  };
}

/**
 * The service account EKS Pod Identity binds to the team's IAM role. Pods get AWS credentials
 * from the Pod Identity agent, not from a Kubernetes token, so the API token is not mounted by
 * default; a pod that calls the Kubernetes API opts in.
 */
export function teamServiceAccountManifest(decl: WorkloadDeclaration, t: TeamWorkloadOptions): KubernetesManifest {
  const n = teamObjectNames(t.name);
  return {
    apiVersion: 'v1', kind: 'ServiceAccount',
    metadata: { name: n.serviceAccount, namespace: n.namespace, labels: commonLabels(decl, t.name) },
    automountServiceAccountToken: false,
  };
}

/** What the team may do in its namespace: run training jobs and inference services, and watch their pods. No secrets, no RBAC. */
export function teamRole(decl: WorkloadDeclaration, t: TeamWorkloadOptions): KubernetesManifest {
  const n = teamObjectNames(t.name);
  const edit = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role',
    metadata: { name: n.role, namespace: n.namespace, labels: commonLabels(decl, t.name) },
    rules: [
      { apiGroups: ['trainer.kubeflow.org'], resources: ['trainjobs'], verbs: edit },
      { apiGroups: ['serving.kserve.io'], resources: ['inferenceservices'], verbs: edit },
      { apiGroups: [''], resources: ['configmaps'], verbs: edit },
      { apiGroups: [''], resources: ['pods', 'pods/log', 'events', 'services'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['batch'], resources: ['jobs'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['kueue.x-k8s.io'], resources: ['workloads', 'localqueues'], verbs: ['get', 'list', 'watch'] },
    ],
  };
}

/** Binds the team Role to the training service account and, if declared, the developers group. */
export function teamRoleBinding(decl: WorkloadDeclaration, t: TeamWorkloadOptions): KubernetesManifest {
  const n = teamObjectNames(t.name);
  const subjects: Array<Record<string, string>> = [{ kind: 'ServiceAccount', name: n.serviceAccount, namespace: n.namespace }];
  if (t.developersGroup) subjects.push({ kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: t.developersGroup });
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding',
    metadata: { name: n.roleBinding, namespace: n.namespace, labels: commonLabels(decl, t.name) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: n.role },
    subjects,
  };
}

/**
 * Where the EKS Pod Identity agent serves credentials to pods: "The agent uses the loopback
 * (localhost) IP address 169.254.170.23 for IPv4" (Amazon EKS User Guide, "Set up the Amazon EKS
 * Pod Identity Agent", Considerations), on plain HTTP: EKS sets AWS_CONTAINER_CREDENTIALS_FULL_URI
 * for the SDKs' container credential provider (AWS SDKs and Tools Reference Guide, "Container
 * credential provider"), http://169.254.170.23/v1/credentials, port 80. The agent runs in the
 * host network, so a pod's default-deny egress blocks it unless allowed by address.
 */
export const POD_IDENTITY_AGENT = { cidr: '169.254.170.23/32', port: 80 } as const;

/** Private and special-purpose IPv4 ranges kept out of the public HTTPS egress rule (RFC 1918, link-local, CGNAT, loopback). */
export const NON_PUBLIC_IPV4 = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8'] as const;

/**
 * The destinations of a team's HTTPS egress: the VPC CIDR (its interface endpoints: STS, EKS
 * Auth, ECR, Logs; and the private API endpoint), and the S3 gateway endpoint's addresses. A
 * gateway endpoint routes to the region's public S3 addresses through a managed prefix list
 * (`com.amazonaws.<region>.s3`), which a Kubernetes NetworkPolicy cannot name (ipBlock takes CIDRs
 * only) and which is not one CIDR: the region's S3 ranges are many, published in ip-ranges.json
 * and changing over time (Amazon VPC User Guide, "AWS IP address ranges"). So: when the
 * declaration lists `httpsEgressCidrs`, exactly those are allowed (pinned, the operator keeps them
 * current); otherwise HTTPS to any public IPv4 address is allowed (0.0.0.0/0 except
 * {@link NON_PUBLIC_IPV4}). In TrainingCluster's VPC, which has no NAT or internet gateway, the
 * only public destinations with a route are the gateway endpoints (S3, and DynamoDB where
 * added), and the gateway endpoint's policy, not this rule, limits which buckets are reachable.
 */
export function httpsEgressPeers(decl: WorkloadDeclaration): Array<{ ipBlock: { cidr: string; except?: string[] } }> {
  const vpc = { ipBlock: { cidr: decl.vpcCidr } };
  if (decl.httpsEgressCidrs !== undefined && decl.httpsEgressCidrs.length > 0) return [vpc, ...decl.httpsEgressCidrs.map((cidr) => ({ ipBlock: { cidr } }))];
  return [vpc, { ipBlock: { cidr: '0.0.0.0/0', except: [...NON_PUBLIC_IPV4] } }];
}

/**
 * Network policies: deny all ingress and egress, then allow traffic inside the namespace, DNS to
 * CoreDNS in kube-system, HTTP to the Pod Identity agent ({@link POD_IDENTITY_AGENT}) and HTTPS to
 * the VPC and S3 ({@link httpsEgressPeers}). They take effect only where the VPC CNI's network
 * policy agent is on.
 */
export function teamNetworkPolicies(decl: WorkloadDeclaration, t: TeamWorkloadOptions): KubernetesManifest[] {
  const n = teamObjectNames(t.name);
  const meta = (name: string) => ({ name, namespace: n.namespace, labels: commonLabels(decl, t.name) });
  const api = 'networking.k8s.io/v1';
  return [
    { apiVersion: api, kind: 'NetworkPolicy', metadata: meta('default-deny'), spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } },
    {
      apiVersion: api, kind: 'NetworkPolicy', metadata: meta('allow-same-namespace'),
      spec: {
        podSelector: {}, policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
      },
    },
    {
      apiVersion: api, kind: 'NetworkPolicy', metadata: meta('allow-dns'),
      spec: {
        podSelector: {}, policyTypes: ['Egress'],
        egress: [{
          to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
          ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }],
        }],
      },
    },
    {
      apiVersion: api, kind: 'NetworkPolicy', metadata: meta('allow-pod-identity-agent'),
      spec: {
        podSelector: {}, policyTypes: ['Egress'],
        egress: [{ to: [{ ipBlock: { cidr: POD_IDENTITY_AGENT.cidr } }], ports: [{ protocol: 'TCP', port: POD_IDENTITY_AGENT.port }] }],
      },
    },
    {
      apiVersion: api, kind: 'NetworkPolicy', metadata: meta('allow-https-aws'),
      spec: {
        podSelector: {}, policyTypes: ['Egress'],
        egress: [{ to: httpsEgressPeers(decl), ports: [{ protocol: 'TCP', port: 443 }] }],
      },
    },
  ];
}

/** An image as the spec renders it: in the declaration's ECR registry when it has one (validation guarantees a mirror exists). */
export function renderedImage(decl: WorkloadDeclaration, image: string): string {
  return decl.imageRegistry === undefined ? image : mirroredImage(image, decl.imageRegistry, decl.pullThroughPrefixes) ?? image;
}

/** The team's Kueue LocalQueue, pointing at its ClusterQueue. */
export function teamLocalQueue(decl: WorkloadDeclaration, t: TeamWorkloadOptions, clusterQueue: string): KubernetesManifest {
  return {
    apiVersion: KUEUE_API_VERSION, kind: 'LocalQueue',
    metadata: { name: TRAINING_QUEUE_NAME, namespace: teamObjectNames(t.name).namespace, labels: commonLabels(decl, t.name) },
    spec: { clusterQueue },
  };
}

/**
 * The team's Kubeflow Trainer runtime (trainer.kubeflow.org/v1alpha1, the only version Trainer
 * v2 serves). Namespaced rather than a ClusterTrainingRuntime because the pods must run as the
 * team's own service account (its Pod Identity role), which a cluster-wide runtime cannot name.
 * Pods run at the preemptible training priority and meet the restricted standard; TrainJobs
 * override image, command, resources per node and `trainer.numProcPerNode`.
 *
 * The torch policy is empty: Trainer v2.2.0 removed `torch.numProcPerNode` from the runtime API
 * (kubeflow/trainer, CHANGELOG/CHANGELOG-2.2.md: "BREAKING CHANGE: Remove numProcPerNode from
 * Torch API (#3239)"); in v2.3.0 the TorchMLPolicySource has only `envInjection`
 * (manifests/base/crds/trainer.kubeflow.org_trainingruntimes.yaml) and the process count defaults
 * to `auto` per TrainJob. The pods carry no GPU toleration: Kueue adds the GPU flavor's
 * toleration and node label only to jobs that request GPUs (see trainingQueues), so CPU jobs stay
 * off GPU nodes.
 */
export function teamTrainingRuntime(decl: WorkloadDeclaration, t: TeamWorkloadOptions): KubernetesManifest {
  const n = teamObjectNames(t.name);
  const tr = decl.training ?? {};
  const lim = t.containerLimits?.defaultLimits ?? WORKLOAD_DEFAULTS.defaultLimits;
  return {
    apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainingRuntime',
    metadata: { name: TRAINING_RUNTIME_NAME, namespace: n.namespace, labels: { ...commonLabels(decl, t.name), 'trainer.kubeflow.org/framework': 'torch' } },
    spec: {
      mlPolicy: { numNodes: tr.numNodes ?? WORKLOAD_DEFAULTS.numNodes, torch: {} },
      template: {
        spec: {
          replicatedJobs: [{
            name: 'node',
            template: {
              metadata: { labels: { 'trainer.kubeflow.org/trainjob-ancestor-step': 'trainer' } },
              spec: {
                template: {
                  spec: {
                    serviceAccountName: n.serviceAccount,
                    priorityClassName: priorityClassNames(decl).training,
                    securityContext: restrictedPodSecurityContext(),
                    containers: [{
                      name: 'node',
                      image: renderedImage(decl, tr.image ?? WORKLOAD_DEFAULTS.trainingImage),
                      securityContext: restrictedContainerSecurityContext(),
                      resources: {
                        requests: { cpu: canonicalQuantity(lim.cpu), memory: canonicalQuantity(lim.memory) },
                        limits: { cpu: canonicalQuantity(lim.cpu), memory: canonicalQuantity(lim.memory) },
                      },
                    }],
                  },
                },
              },
            },
          }],
        },
      },
    },
  };
}
