/** SageMaker instance families this library accepts for processing and training jobs. */
export const SAGEMAKER_FAMILIES: readonly string[] = [
  'm5', 'm5d', 'm6i', 'm6id', 'm7i', 'c5', 'c5d', 'c6i', 'c6id', 'c7i', 'r5', 'r5d', 'r6i', 'r7i',
  'g4dn', 'g5', 'g6', 'g6e', 'p3', 'p3dn', 'p4d', 'p4de', 'p5', 'p5e', 'trn1', 'trn1n',
];

/** Sizes SageMaker uses across those families. */
export const SAGEMAKER_SIZES: readonly string[] = [
  'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '9xlarge', '12xlarge', '16xlarge', '18xlarge', '24xlarge', '32xlarge', '48xlarge',
];

/** Why a SageMaker instance type is not accepted, or undefined when it is. */
export function sagemakerInstanceTypeProblem(instanceType: string): string | undefined {
  const m = /^ml\.([a-z0-9]+)\.([a-z0-9]+)$/.exec(instanceType);
  if (!m) return 'must look like ml.<family>.<size>, for example ml.m5.xlarge';
  if (!SAGEMAKER_FAMILIES.includes(m[1])) return `has an unknown family "${m[1]}"; allowed: ${SAGEMAKER_FAMILIES.join(', ')}`;
  if (!SAGEMAKER_SIZES.includes(m[2])) return `has an unknown size "${m[2]}"; allowed: ${SAGEMAKER_SIZES.join(', ')}`;
  return undefined;
}
