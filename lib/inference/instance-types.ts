import { Token } from 'aws-cdk-lib';
import { MlInstanceType } from '../core/ml-instance-type';

export { INSTANCE_STORAGE_FAMILIES } from '../core/ml-instance-type';

/** SageMaker instance families this library accepts for real-time endpoints. */
export const INFERENCE_FAMILIES: readonly string[] = [
  't2', 'm5', 'm5d', 'm6i', 'm6id', 'm7i', 'c5', 'c5d', 'c6i', 'c6id', 'c7i', 'r5', 'r5d', 'r6i', 'r7i',
  'g4dn', 'g5', 'g6', 'g6e', 'p3', 'p4d', 'p5', 'inf2',
];

/** Sizes SageMaker uses across those families. */
export const INFERENCE_SIZES: readonly string[] = [
  'medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '9xlarge', '12xlarge', '16xlarge', '18xlarge', '24xlarge', '32xlarge', '48xlarge',
];

/**
 * The instance type of an endpoint variant.
 * @deprecated 0.x previews had a class of their own per use; use {@link MlInstanceType}, which every
 * `instanceType` prop takes. `InferenceInstanceType.M5_LARGE` and `InferenceInstanceType.of(...)`
 * still work: this name is an alias of MlInstanceType.
 */
export const InferenceInstanceType = MlInstanceType;
/** @deprecated use {@link MlInstanceType} */
export type InferenceInstanceType = MlInstanceType;

/**
 * Why an instance type cannot serve a real-time endpoint variant, or undefined when it can
 * (tokens are not checked): `ml.<family>.<size>` of {@link INFERENCE_FAMILIES} and {@link INFERENCE_SIZES}.
 */
export function inferenceInstanceTypeProblem(type: MlInstanceType): string | undefined {
  if (Token.isUnresolved(type.name)) return undefined;
  const { family, size } = type;
  if (family === undefined || size === undefined) return 'must look like ml.<family>.<size>, for example ml.m5.large';
  if (!INFERENCE_FAMILIES.includes(family)) return `has an unknown family "${family}"; allowed: ${INFERENCE_FAMILIES.join(', ')}`;
  if (!INFERENCE_SIZES.includes(size)) return `has an unknown size "${size}"; allowed: ${INFERENCE_SIZES.join(', ')}`;
  return undefined;
}
