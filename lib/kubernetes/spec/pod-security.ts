import { WORKLOAD_DEFAULTS } from './declaration';
import { KubernetesManifest, ManifestObject } from './manifest';

/** Pod-level security context of every pod template the spec produces (restricted Pod Security Standard). */
export function restrictedPodSecurityContext(): ManifestObject {
  return {
    runAsNonRoot: true,
    runAsUser: WORKLOAD_DEFAULTS.runAsUser,
    runAsGroup: WORKLOAD_DEFAULTS.runAsUser,
    fsGroup: WORKLOAD_DEFAULTS.runAsUser,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** Container-level security context of every container the spec produces (restricted Pod Security Standard). */
export function restrictedContainerSecurityContext(): ManifestObject {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/** A pod template found in a manifest: where it is, its pod-level fields and its containers. */
export interface PodTemplate {
  /** Path of the pod spec inside the manifest, for example `spec.predictor`. */
  readonly path: string;
  readonly pod: ManifestObject;
  readonly containers: ManifestObject[];
}

const asObject = (v: unknown): ManifestObject | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as ManifestObject) : undefined);

/**
 * Every pod template of a manifest: any object with a `containers` list; KServe predictors,
 * whose pod-level fields are inline and whose one container is `model`; and KServe
 * ClusterStorageContainers, whose `spec.container` becomes the init container of every
 * predictor that names it (checked on its own, without a pod-level context).
 */
export function podTemplatesOf(manifest: KubernetesManifest): PodTemplate[] {
  const out: PodTemplate[] = [];
  const visit = (v: unknown, path: string): void => {
    const o = asObject(v);
    if (!o) {
      if (Array.isArray(v)) v.forEach((e, i) => visit(e, `${path}[${i}]`));
      return;
    }
    if (Array.isArray(o.containers)) {
      out.push({ path, pod: o, containers: o.containers.map((c) => asObject(c) ?? {}) });
      return;
    }
    if (manifest.kind === 'ClusterStorageContainer' && path === 'spec') {
      out.push({ path, pod: {}, containers: [asObject(o.container) ?? {}] });
      return;
    }
    if (manifest.kind === 'InferenceService' && path === 'spec.predictor') {
      out.push({ path, pod: o, containers: [asObject(o.model) ?? {}] });
      return;
    }
    for (const [k, child] of Object.entries(o)) visit(child, path ? `${path}.${k}` : k);
  };
  visit({ ...manifest, metadata: undefined }, '');
  return out;
}

/**
 * What a manifest's pod templates break of the restricted Pod Security Standard (and of this
 * layer's rule that every container has CPU and memory limits); empty when they comply.
 */
export function restrictedPodSecurityViolations(manifest: KubernetesManifest): string[] {
  const where = `${manifest.kind}/${manifest.metadata.name}`;
  const problems: string[] = [];
  for (const t of podTemplatesOf(manifest)) {
    const podCtx = asObject(t.pod.securityContext) ?? {};
    if (t.pod.hostNetwork === true || t.pod.hostPID === true || t.pod.hostIPC === true) problems.push(`${where} ${t.path}: uses a host namespace`);
    t.containers.forEach((c, i) => {
      const at = `${where} ${t.path} container ${String(c.name ?? i)}`;
      const ctx = asObject(c.securityContext) ?? {};
      const caps = asObject(ctx.capabilities) ?? {};
      const seccomp = asObject(ctx.seccompProfile) ?? asObject(podCtx.seccompProfile) ?? {};
      const limits = asObject(asObject(c.resources)?.limits) ?? {};
      if ((ctx.runAsNonRoot ?? podCtx.runAsNonRoot) !== true) problems.push(`${at}: runAsNonRoot is not true`);
      if ((ctx.runAsUser ?? podCtx.runAsUser) === 0) problems.push(`${at}: runs as UID 0`);
      if (ctx.allowPrivilegeEscalation !== false) problems.push(`${at}: allowPrivilegeEscalation is not false`);
      if (ctx.privileged === true) problems.push(`${at}: is privileged`);
      if (!Array.isArray(caps.drop) || !caps.drop.includes('ALL')) problems.push(`${at}: does not drop ALL capabilities`);
      if (Array.isArray(caps.add) && caps.add.some((a) => a !== 'NET_BIND_SERVICE')) problems.push(`${at}: adds capabilities`);
      if (seccomp.type !== 'RuntimeDefault' && seccomp.type !== 'Localhost') problems.push(`${at}: seccompProfile is not RuntimeDefault`);
      if (limits.cpu === undefined || limits.memory === undefined) problems.push(`${at}: has no CPU and memory limits`);
    });
    // KServe injects an init container into predictors that download a model; unless the predictor
    // names a ClusterStorageContainer (whose container is checked above), it has no security context.
    const model = asObject(t.pod.model);
    if (manifest.kind === 'InferenceService' && model && typeof model.storageUri === 'string' && typeof t.pod.storageContainerName !== 'string') {
      problems.push(`${where} ${t.path}: KServe injects its storage-initializer without a security context (set storageContainerName to a restricted ClusterStorageContainer)`);
    }
  }
  return problems;
}
