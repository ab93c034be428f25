/**
 * Container image references, rewritten to an ECR registry's pull-through caches. A training
 * cluster in subnets without NAT pulls only from ECR (its VPC endpoints); ECR pull-through cache
 * rules mirror Docker Hub, GitHub Container Registry, registry.k8s.io, Quay and ECR Public under a
 * repository prefix: `<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<repository>:<tag>`, and
 * "For Docker Hub official images, the /library prefix must be included" (Amazon ECR User Guide,
 * "Pulling an image with a pull through cache rule in Amazon ECR"). Registries without pull-through
 * support (nvcr.io among them; the supported upstreams are listed under CreatePullThroughCacheRule,
 * `upstreamRegistryUrl`) must be mirrored into ECR and referenced there.
 */

/** Upstream registry host -> ECR repository prefix of its pull-through cache rule (the console's default namespaces). */
export const DEFAULT_PULL_THROUGH_PREFIXES: Readonly<Record<string, string>> = {
  'docker.io': 'docker-hub',
  'ghcr.io': 'github',
  'registry.k8s.io': 'kubernetes',
  'quay.io': 'quay',
  'public.ecr.aws': 'ecr-public',
};

/** A private ECR registry host. */
export const ECR_REGISTRY = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** An image reference split into registry host, repository path and tag or digest suffix. */
export interface ImageReference {
  readonly host: string;
  readonly repository: string;
  /** `:tag` or `@sha256:...`, or empty. */
  readonly suffix: string;
}

/** Splits an image reference as Docker does: the first segment is a host when it has a '.' or ':' or is `localhost`; otherwise Docker Hub. */
export function parseImage(ref: string): ImageReference {
  const at = ref.indexOf('@');
  const base = at >= 0 ? ref.slice(0, at) : ref;
  const digest = at >= 0 ? ref.slice(at) : '';
  const lastSlash = base.lastIndexOf('/');
  const colon = base.lastIndexOf(':');
  const tag = colon > lastSlash ? base.slice(colon) : '';
  const name = colon > lastSlash ? base.slice(0, colon) : base;
  const first = name.split('/')[0];
  const hasHost = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const host = hasHost ? first : 'docker.io';
  let repository = hasHost ? name.slice(first.length + 1) : name;
  if (host === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  return { host: host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host, repository, suffix: tag + digest };
}

/**
 * The reference of `ref` in `registry`'s pull-through cache, unchanged when it is already in that
 * registry, or undefined when its upstream registry has no pull-through prefix.
 */
export function mirroredImage(ref: string, registry: string, prefixes: Readonly<Record<string, string>> = DEFAULT_PULL_THROUGH_PREFIXES): string | undefined {
  const image = parseImage(ref);
  if (image.host === registry) return ref;
  const prefix = prefixes[image.host];
  return prefix === undefined ? undefined : `${registry}/${prefix}/${image.repository}${image.suffix}`;
}

/** KServe's storage-initializer image at the pinned KServe release (kserve/kserve v0.20.0, charts/kserve-resources/values.yaml `kserve.storage.image`). */
export const KSERVE_STORAGE_INITIALIZER_IMAGE = 'kserve/storage-initializer:v0.20.0';
