import { Token } from 'aws-cdk-lib';

/** SageMaker instance families this library accepts for real-time endpoints. */
export const INFERENCE_FAMILIES: readonly string[] = [
  't2', 'm5', 'm5d', 'm6i', 'm6id', 'm7i', 'c5', 'c5d', 'c6i', 'c6id', 'c7i', 'r5', 'r5d', 'r6i', 'r7i',
  'g4dn', 'g5', 'g6', 'g6e', 'p3', 'p4d', 'p5', 'inf2',
];

/**
 * Families with local NVMe instance storage. SageMaker rejects `KmsKeyId` on an endpoint config
 * that uses them (their storage is encrypted by the hardware), so the construct omits it there.
 */
export const INSTANCE_STORAGE_FAMILIES: readonly string[] = ['m5d', 'm6id', 'c5d', 'c6id', 'r5d', 'g4dn', 'g5', 'g6', 'g6e', 'p4d', 'p5'];

/** Sizes SageMaker uses across those families. */
export const INFERENCE_SIZES: readonly string[] = [
  'medium', 'large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '9xlarge', '12xlarge', '16xlarge', '18xlarge', '24xlarge', '32xlarge', '48xlarge',
];

const PATTERN = /^ml\.([a-z0-9]+)\.([a-z0-9]+)$/;

/**
 * An instance type for an endpoint variant: presets for common choices, `of()` for any other
 * `ml.<family>.<size>` (validated against {@link INFERENCE_FAMILIES} and {@link INFERENCE_SIZES}).
 */
export class InferenceInstanceType {
  /** General purpose, 2 vCPU, 8 GiB. */
  public static readonly M5_LARGE = new InferenceInstanceType('ml.m5.large');
  /** General purpose, 4 vCPU, 16 GiB. */
  public static readonly M5_XLARGE = new InferenceInstanceType('ml.m5.xlarge');
  /** Compute optimized, 4 vCPU, 8 GiB. */
  public static readonly C5_XLARGE = new InferenceInstanceType('ml.c5.xlarge');
  /** One NVIDIA A10G GPU, 4 vCPU, 16 GiB. */
  public static readonly G5_XLARGE = new InferenceInstanceType('ml.g5.xlarge');

  /** Any other instance type, for example `ml.m6i.2xlarge`. */
  public static of(name: string): InferenceInstanceType {
    return new InferenceInstanceType(name);
  }

  private constructor(
    /** The SageMaker instance type name. */
    public readonly name: string,
  ) {}

  /** Why this instance type is not accepted, or undefined when it is (tokens are not checked). */
  public problem(): string | undefined {
    if (Token.isUnresolved(this.name)) return undefined;
    const m = PATTERN.exec(this.name);
    if (!m) return 'must look like ml.<family>.<size>, for example ml.m5.large';
    if (!INFERENCE_FAMILIES.includes(m[1])) return `has an unknown family "${m[1]}"; allowed: ${INFERENCE_FAMILIES.join(', ')}`;
    if (!INFERENCE_SIZES.includes(m[2])) return `has an unknown size "${m[2]}"; allowed: ${INFERENCE_SIZES.join(', ')}`;
    return undefined;
  }

  /**
   * vCPUs of one instance, from the size: `medium` and `large` 2, `xlarge` 4, `<n>xlarge` 4 x n, as
   * the instance types of every family in {@link INFERENCE_FAMILIES} are sized (for example ml.m5.large 2,
   * ml.m5.xlarge 4, ml.c5.9xlarge 36, ml.g5.12xlarge 48; SageMaker pricing, instance details).
   * SageMaker reports CPUUtilization as "the sum of each individual CPU core's utilization", 0 to
   * 100 x vCPUs. Undefined for unresolved or unknown names.
   */
  public get vcpus(): number | undefined {
    const m = PATTERN.exec(this.name);
    if (!m || !INFERENCE_SIZES.includes(m[2])) return undefined;
    if (m[2] === 'medium' || m[2] === 'large') return 2;
    if (m[2] === 'xlarge') return 4;
    return 4 * Number(m[2].replace('xlarge', ''));
  }

  /** True when the family has local instance storage (no KmsKeyId allowed on the endpoint config). */
  public get hasInstanceStorage(): boolean {
    const m = PATTERN.exec(this.name);
    return m !== null && INSTANCE_STORAGE_FAMILIES.includes(m[1]);
  }
}
