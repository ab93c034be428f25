import { Stack, Token } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct, IConstruct } from 'constructs';
import { claimAccountWide } from '../../core/account-wide';
import { ValidationError, ValidationProblem } from '../../core/errors';
import type { IEcrPullThroughCache } from '../../core/pull-through';
import { mirroredImage } from '../spec/images';

/**
 * An upstream registry an ECR pull-through cache rule mirrors. Amazon ECR supports "Amazon ECR
 * Public, Kubernetes container image registry, and Quay (doesn't require authentication)" and
 * "Docker Hub, Microsoft Azure Container Registry, GitHub Container Registry, and GitLab Container
 * Registry (requires authentication with AWS Secrets Manager secret)"; the upstream URLs are
 * `public.ecr.aws`, `registry.k8s.io`, `quay.io`, `registry-1.docker.io` and `ghcr.io` (Amazon ECR
 * User Guide, "Sync an upstream registry with an Amazon ECR private registry"; Amazon ECR API
 * Reference, CreatePullThroughCacheRule `upstreamRegistryUrl`). NVIDIA's nvcr.io is not among
 * them: its images must be mirrored into an ECR repository.
 */
export class PullThroughUpstream {
  /** registry.k8s.io (Kubernetes SIG images: the cluster autoscaler, Kueue), no credential. */
  public static readonly KUBERNETES = new PullThroughUpstream('registry.k8s.io', 'registry.k8s.io', 'kubernetes');
  /** quay.io (cert-manager), no credential. */
  public static readonly QUAY = new PullThroughUpstream('quay.io', 'quay.io', 'quay');
  /** Amazon ECR Public, no credential. */
  public static readonly ECR_PUBLIC = new PullThroughUpstream('public.ecr.aws', 'public.ecr.aws', 'ecr-public');

  /** Docker Hub (the default training image, KServe's images), with a Secrets Manager credential. */
  public static dockerHub(credential: secretsmanager.ISecret): PullThroughUpstream {
    return new PullThroughUpstream('docker.io', 'registry-1.docker.io', 'docker-hub', credential);
  }

  /** GitHub Container Registry (Kubeflow Trainer, KServe charts), with a Secrets Manager credential. */
  public static githubContainerRegistry(credential: secretsmanager.ISecret): PullThroughUpstream {
    return new PullThroughUpstream('ghcr.io', 'ghcr.io', 'github', credential);
  }

  /**
   * @param host the registry host as image references name it
   * @param upstreamRegistryUrl the rule's `UpstreamRegistryUrl`
   * @param prefix the rule's `EcrRepositoryPrefix` (the console's default namespace)
   * @param credential the Secrets Manager secret for registries that require one
   */
  private constructor(
    public readonly host: string,
    public readonly upstreamRegistryUrl: string,
    public readonly prefix: string,
    public readonly credential?: secretsmanager.ISecret,
  ) {}
}

export type { IEcrPullThroughCache } from '../../core/pull-through';

/** Props of {@link EcrPullThroughCache}. */
export interface EcrPullThroughCacheProps {
  /**
   * The upstream registries to cache, one rule each.
   * @default [PullThroughUpstream.KUBERNETES, PullThroughUpstream.QUAY, PullThroughUpstream.ECR_PUBLIC] (the ones without credentials)
   */
  readonly upstreams?: PullThroughUpstream[];
}

/** The upstreams of an {@link EcrPullThroughCache} without props. */
export const DEFAULT_PULL_THROUGH_UPSTREAMS: readonly PullThroughUpstream[] = [PullThroughUpstream.KUBERNETES, PullThroughUpstream.QUAY, PullThroughUpstream.ECR_PUBLIC];

/** Secrets Manager secrets of pull-through credentials must be named `ecr-pullthroughcache/...` (Amazon ECR User Guide, "Creating a pull through cache rule in Amazon ECR"). */
export const PULL_THROUGH_SECRET_PREFIX = 'ecr-pullthroughcache/';

abstract class PullThroughCacheBase extends Construct implements IEcrPullThroughCache {
  public abstract readonly registry: string;
  public abstract readonly prefixes: Readonly<Record<string, string>>;

  public imageFor(ref: string): string | undefined {
    return mirroredImage(ref, this.registry, this.prefixes);
  }

  public grantPullThrough(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['ecr:BatchImportUpstreamImage', 'ecr:CreateRepository'],
      resourceArns: Object.values(this.prefixes).map((p) => stack.formatArn({ service: 'ecr', resource: 'repository', resourceName: `${p}/*` })),
    });
  }
}

/**
 * ECR pull-through cache rules (AWS::ECR::PullThroughCacheRule) that let a cluster without
 * internet egress pull public images through ECR: `<registry>/<prefix>/<repository>:<tag>`.
 * A rule is account- and region-wide (one per repository prefix), so one construct per account
 * and region owns them: synth fails when two claim the same prefix there. Other stacks of the
 * account and region reference the rules with {@link EcrPullThroughCache.fromRules}.
 */
export class EcrPullThroughCache extends PullThroughCacheBase {
  /** References rules created elsewhere in this stack's account and region (by another stack, or by hand). */
  public static fromRules(scope: Construct, id: string, upstreams: readonly PullThroughUpstream[]): IEcrPullThroughCache {
    class Import extends PullThroughCacheBase {
      public readonly registry = registryOf(this);
      public readonly prefixes = Object.fromEntries(upstreams.map((u) => [u.host, u.prefix]));
    }
    return new Import(scope, id);
  }

  public readonly registry: string;
  public readonly prefixes: Readonly<Record<string, string>>;
  /** The rules by upstream host. */
  public readonly rules: Readonly<Record<string, ecr.CfnPullThroughCacheRule>>;

  constructor(scope: Construct, id: string, props: EcrPullThroughCacheProps = {}) {
    super(scope, id);
    const upstreams = props.upstreams ?? DEFAULT_PULL_THROUGH_UPSTREAMS;
    const problems: ValidationProblem[] = [];
    if (upstreams.length === 0) problems.push({ property: 'upstreams', value: '[]', allowed: 'must name at least one upstream registry' });
    upstreams.forEach((u, i) => {
      if (upstreams.findIndex((x) => x.prefix === u.prefix) !== i) {
        problems.push({ property: `upstreams[${i}]`, value: JSON.stringify(u.host), allowed: `repeats the prefix "${u.prefix}": one rule per prefix` });
      }
      const name = u.credential?.secretName;
      if (name !== undefined && !Token.isUnresolved(name) && !name.startsWith(PULL_THROUGH_SECRET_PREFIX)) {
        problems.push({ property: `upstreams[${i}].credential`, value: JSON.stringify(name), allowed: `the secret's name must begin with "${PULL_THROUGH_SECRET_PREFIX}"` });
      }
    });
    if (problems.length > 0) throw new ValidationError(this.node.path, problems);

    const rules: Record<string, ecr.CfnPullThroughCacheRule> = {};
    for (const u of upstreams) {
      rules[u.host] = new ecr.CfnPullThroughCacheRule(this, `Rule-${u.prefix}`, {
        ecrRepositoryPrefix: u.prefix,
        upstreamRegistryUrl: u.upstreamRegistryUrl,
        credentialArn: u.credential?.secretArn,
      });
      claimPrefix(this, u.prefix);
    }
    this.rules = rules;
    this.registry = registryOf(this);
    this.prefixes = Object.fromEntries(upstreams.map((u) => [u.host, u.prefix]));
  }
}

function registryOf(scope: IConstruct): string {
  const stack = Stack.of(scope);
  return `${stack.account}.dkr.ecr.${stack.region}.${stack.urlSuffix}`;
}

/** One owner per pull-through prefix in each account and region, checked once per app at synth. */
function claimPrefix(scope: IConstruct, prefix: string): void {
  claimAccountWide(scope, `prefix "${prefix}"`, (key, paths) =>
    `ECR pull-through cache rule ${key} is created by ${paths.length} constructs (${paths.join(', ')}): a rule is account- and region-wide. ` +
    'Create the rules in one EcrPullThroughCache per account and region and reference them elsewhere with EcrPullThroughCache.fromRules.');
}
