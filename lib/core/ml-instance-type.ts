import { Token } from 'aws-cdk-lib';

/**
 * Families with local NVMe instance storage. SageMaker rejects `KmsKeyId` on an endpoint config
 * that uses them (their storage is encrypted by the hardware), so the endpoint omits it there.
 */
export const INSTANCE_STORAGE_FAMILIES: readonly string[] = ['m5d', 'm6id', 'c5d', 'c6id', 'r5d', 'g4dn', 'g5', 'g6', 'g6e', 'p4d', 'p5'];

const PATTERN = /^ml\.([a-z][a-z0-9-]*)\.([a-z0-9]+)$/;

/**
 * A SageMaker ML instance type (`ml.<family>.<size>`), the one form every `instanceType` prop of
 * this library takes: endpoint variants, training and processing steps, Model Monitor jobs.
 * Presets for common choices, `of()` for any other type. Each prop validates the type for its use
 * (for example endpoints accept the real-time hosting families only) and names the property on error.
 *
 * @example
 * const variants = [{ instanceType: MlInstanceType.M5_LARGE }, { name: 'Gpu', instanceType: MlInstanceType.of('ml.g5.2xlarge') }];
 */
export class MlInstanceType {
  /** General purpose, 2 vCPU, 8 GiB. */
  public static readonly M5_LARGE = new MlInstanceType('ml.m5.large');
  /** General purpose, 4 vCPU, 16 GiB. */
  public static readonly M5_XLARGE = new MlInstanceType('ml.m5.xlarge');
  /** General purpose, 8 vCPU, 32 GiB. */
  public static readonly M5_2XLARGE = new MlInstanceType('ml.m5.2xlarge');
  /** Compute optimized, 4 vCPU, 8 GiB. */
  public static readonly C5_XLARGE = new MlInstanceType('ml.c5.xlarge');
  /** Memory optimized, 4 vCPU, 32 GiB. */
  public static readonly R5_XLARGE = new MlInstanceType('ml.r5.xlarge');
  /** One NVIDIA A10G GPU, 4 vCPU, 16 GiB. */
  public static readonly G5_XLARGE = new MlInstanceType('ml.g5.xlarge');

  /** Any other instance type, for example `ml.m6i.2xlarge`. */
  public static of(name: string): MlInstanceType {
    return new MlInstanceType(name);
  }

  /**
   * The instance type a prop was given, from either form a 0.x prop may accept: an MlInstanceType,
   * or (deprecated) its name as a string. Anything else is returned as is, for validation to refuse.
   */
  public static from(value: MlInstanceType | string): MlInstanceType;
  public static from(value: MlInstanceType | string | undefined): MlInstanceType | undefined;
  public static from(value: MlInstanceType | string | undefined): MlInstanceType | undefined {
    return typeof value === 'string' ? new MlInstanceType(value) : value;
  }

  protected constructor(
    /** The SageMaker instance type name, for example `ml.m5.large`. */
    public readonly name: string,
  ) {}

  /** The family (`m5` of `ml.m5.large`), or undefined when the name is a token or malformed. */
  public get family(): string | undefined {
    return PATTERN.exec(this.name)?.[1];
  }

  /** The size (`large` of `ml.m5.large`), or undefined when the name is a token or malformed. */
  public get size(): string | undefined {
    return PATTERN.exec(this.name)?.[2];
  }

  /**
   * Why the name is not of the form `ml.<family>.<size>`, or undefined when it is (tokens are not
   * checked). The props that take an instance type check the family and size for their use too.
   */
  public problem(): string | undefined {
    if (Token.isUnresolved(this.name) || PATTERN.test(this.name)) return undefined;
    return 'must look like ml.<family>.<size>, for example ml.m5.xlarge';
  }

  /**
   * vCPUs of one instance, from the size: `medium` and `large` 2, `xlarge` 4, `<n>xlarge` 4 x n, as
   * SageMaker's ML instance types are sized (for example ml.m5.large 2, ml.m5.xlarge 4, ml.c5.9xlarge 36,
   * ml.g5.12xlarge 48; SageMaker pricing, instance details). SageMaker reports CPUUtilization as
   * "the sum of each individual CPU core's utilization", 0 to 100 x vCPUs. Undefined for unresolved
   * or unknown sizes.
   */
  public get vcpus(): number | undefined {
    const size = this.size;
    if (size === undefined) return undefined;
    if (size === 'medium' || size === 'large') return 2;
    if (size === 'xlarge') return 4;
    const m = /^(\d+)xlarge$/.exec(size);
    return m ? 4 * Number(m[1]) : undefined;
  }

  /** True when the family has local instance storage (no KmsKeyId allowed on an endpoint config). */
  public get hasInstanceStorage(): boolean {
    const family = this.family;
    return family !== undefined && INSTANCE_STORAGE_FAMILIES.includes(family);
  }

  /** The instance type name. */
  public toString(): string {
    return this.name;
  }
}
