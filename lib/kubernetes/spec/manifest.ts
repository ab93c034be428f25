/**
 * The plain manifest shapes the workload spec produces: JSON-compatible objects exactly as
 * `kubectl apply` reads them. Both renderers take these objects; neither builds one itself.
 */

/** A JSON value, as a Kubernetes manifest holds them. */
export type ManifestValue = string | number | boolean | null | ManifestValue[] | { [key: string]: ManifestValue };

/** A JSON object inside a manifest (a pod spec, a security context...). */
export type ManifestObject = { [key: string]: ManifestValue };

/** `metadata` of a manifest: name, optional namespace, labels and annotations. */
export interface ManifestMetadata {
  /** Object name. */
  readonly name: string;
  /** Namespace; set for namespaced kinds only. */
  readonly namespace?: string;
  /** Labels; every object of the spec carries the labels of `commonLabels`. */
  readonly labels?: Record<string, string>;
  /** Annotations, for example KServe's deployment mode. */
  readonly annotations?: Record<string, string>;
}

/** One Kubernetes object. */
export interface KubernetesManifest {
  /** API group and version, for example `networking.k8s.io/v1` (`v1` for the core group). */
  readonly apiVersion: string;
  /** Kind, for example `NetworkPolicy`. */
  readonly kind: string;
  /** Name, namespace, labels and annotations. */
  readonly metadata: ManifestMetadata;
  /** The kind's own fields (`spec`, `rules`, `value`, ...). */
  readonly [field: string]: ManifestValue | ManifestMetadata | undefined;
}

/** `<apiVersion>/<kind>/<namespace>/<name>`: a manifest's identity, unique in a cluster. */
export function manifestKey(m: KubernetesManifest): string {
  return [m.apiVersion, m.kind, m.metadata.namespace ?? '', m.metadata.name].join('/');
}
