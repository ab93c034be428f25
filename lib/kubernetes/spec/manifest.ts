/**
 * The plain manifest shapes the workload spec produces: JSON-compatible objects exactly as
 * `kubectl apply` reads them. Both renderers take these objects; neither builds one itself.
 */

/** A JSON value, as a Kubernetes manifest holds them. */
export type ManifestValue = string | number | boolean | null | ManifestValue[] | { [key: string]: ManifestValue };

/** `metadata` of a manifest: name, optional namespace, labels and annotations. */
export interface ManifestMetadata {
  readonly name: string;
  /** Set for namespaced kinds only. */
  readonly namespace?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** One Kubernetes object. */
export interface KubernetesManifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ManifestMetadata;
  readonly [field: string]: ManifestValue | ManifestMetadata | undefined;
}

/** `<apiVersion>/<kind>/<namespace>/<name>`: a manifest's identity, unique in a cluster. */
export function manifestKey(m: KubernetesManifest): string {
  return [m.apiVersion, m.kind, m.metadata.namespace ?? '', m.metadata.name].join('/');
}
