import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

// The interface lives in core so that the training cluster (package root) can take a cache without
// loading the Kubernetes layer; `EcrPullThroughCache` (the `./kubernetes` subpath) implements it.

/** A set of pull-through cache rules in one account and region's private registry. */
export interface IEcrPullThroughCache extends IConstruct {
  /** The private registry host, `<account>.dkr.ecr.<region>.<url suffix>`. */
  readonly registry: string;
  /** Upstream host -> repository prefix of its rule. */
  readonly prefixes: Readonly<Record<string, string>>;
  /** The reference of an image in this cache, or undefined when its registry has no rule here. */
  imageFor(ref: string): string | undefined;
  /**
   * Lets a principal pull through the cache: `ecr:BatchImportUpstreamImage` and
   * `ecr:CreateRepository` on the rules' repositories, which a first pull needs besides the
   * ordinary pull permissions (Amazon ECR User Guide, "IAM permissions required to sync an
   * upstream registry with an Amazon ECR private registry").
   */
  grantPullThrough(grantee: iam.IGrantable): iam.Grant;
}
