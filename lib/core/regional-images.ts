import { CfnMapping, Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** An AWS-owned ECR image published in a different registry account per region. */
export interface RegionalImage {
  /** Construct ID of the one mapping per stack, shared by every construct that uses the image. */
  readonly mappingId: string;
  /** The registry account of each region. */
  readonly registries: Readonly<Record<string, string>>;
  /** Repository, with `:<tag>` when the image is tagged. */
  readonly repository: string;
}

/** True when the image's registry of `region` is known (a token region: the mapping decides at deploy time). */
export function regionalImageKnown(image: RegionalImage, region: string): boolean {
  return Token.isUnresolved(region) || Object.prototype.hasOwnProperty.call(image.registries, region);
}

/**
 * The image URI for the stack of `scope`, without a lookup: a lazy CfnMapping (region -> account)
 * that renders a literal for a concrete region and `Fn::FindInMap` on `AWS::Region` for an
 * environment-agnostic stack, plus `AWS::URLSuffix` so that China regions get `amazonaws.com.cn`.
 * Check {@link regionalImageKnown} first: a concrete region outside the table fails the lookup.
 */
export function regionalImageUri(scope: IConstruct, image: RegionalImage): string {
  const stack = Stack.of(scope);
  const existing = stack.node.tryFindChild(image.mappingId);
  const mapping = existing instanceof CfnMapping ? existing : new CfnMapping(stack, image.mappingId, {
    mapping: Object.fromEntries(Object.entries(image.registries).map(([region, account]) => [region, { account }])),
    lazy: true,
  });
  const account = mapping.findInMap(stack.region, 'account');
  return `${account}.dkr.ecr.${stack.region}.${stack.urlSuffix}/${image.repository}`;
}
