import { Duration } from 'aws-cdk-lib';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Validator } from '../core/errors';

/** How much of the fleet a traffic-shifting step or a rolling batch covers. */
export interface CapacitySize {
  /** `CAPACITY_PERCENT` of the fleet or an `INSTANCE_COUNT`. */
  readonly type: 'CAPACITY_PERCENT' | 'INSTANCE_COUNT';
  /** The percentage or the number of instances. */
  readonly value: number;
}

/**
 * Factories of {@link CapacitySize}, so that a size reads as aws-cdk-lib's enum-like classes do:
 * `CapacitySize.percent(10)`, `CapacitySize.instances(1)`.
 */
export const CapacitySize = {
  /** A share of the fleet, in whole percent. */
  percent(value: number): CapacitySize {
    return { type: 'CAPACITY_PERCENT', value };
  },
  /** A number of instances. */
  instances(value: number): CapacitySize {
    return { type: 'INSTANCE_COUNT', value };
  },
};

/** Options shared by every blue/green strategy. */
export interface BlueGreenOptions {
  /**
   * How long each traffic step bakes (alarms are watched) before the next.
   * @default 5 minutes
   */
  readonly wait?: Duration;
  /**
   * How long the old (blue) fleet is kept after all traffic moved, for a fast rollback.
   * @default 5 minutes
   */
  readonly terminationWait?: Duration;
  /**
   * The longest the whole deployment may take before it is rolled back.
   * @default SageMaker's default
   */
  readonly maximumExecutionTimeout?: Duration;
}

/** Options of a canary rollout. */
export interface CanaryOptions extends BlueGreenOptions {
  /**
   * Share of the fleet that takes traffic first.
   * @default 10 percent
   */
  readonly canarySize?: CapacitySize;
}

/** Options of a linear rollout. */
export interface LinearOptions extends BlueGreenOptions {
  /**
   * Share of the fleet moved in each step.
   * @default 20 percent
   */
  readonly stepSize?: CapacitySize;
}

/** Options of a rolling update (large fleets). */
export interface RollingOptions {
  /**
   * Size of each batch of instances that is replaced.
   * @default 25 percent
   */
  readonly maximumBatchSize?: CapacitySize;
  /**
   * How long each batch bakes before the next.
   * @default 5 minutes
   */
  readonly wait?: Duration;
  /**
   * Batch size for rolling back.
   * @default the whole fleet at once
   */
  readonly rollbackMaximumBatchSize?: CapacitySize;
  /**
   * The longest the whole deployment may take before it is rolled back.
   * @default SageMaker's default
   */
  readonly maximumExecutionTimeout?: Duration;
}

/** Defaults of the deployment strategies. */
export const DEPLOYMENT_DEFAULTS = {
  wait: Duration.minutes(5),
  terminationWait: Duration.minutes(5),
  canarySize: { type: 'CAPACITY_PERCENT', value: 10 } as CapacitySize,
  linearStepSize: { type: 'CAPACITY_PERCENT', value: 20 } as CapacitySize,
  rollingBatchSize: { type: 'CAPACITY_PERCENT', value: 25 } as CapacitySize,
  /** The canary of the default rollout of an endpoint whose smallest variant has two or more instances. */
  fleetCanarySize: { type: 'INSTANCE_COUNT', value: 1 } as CapacitySize,
};

/** The deployment-config part of the endpoint that a strategy renders (auto-rollback is added by the endpoint). */
export type RenderedPolicy = Pick<sagemaker.CfnEndpoint.DeploymentConfigProperty, 'blueGreenUpdatePolicy' | 'rollingUpdatePolicy'>;

const seconds = (d: Duration | undefined) => (d === undefined ? undefined : d.toSeconds());

/**
 * How an endpoint update moves traffic to the new fleet: blue/green canary, linear or all at
 * once, or rolling for large fleets. Every strategy rolls back on the endpoint's alarms.
 */
export abstract class DeploymentStrategy {
  /** Blue/green: a canary share first, then the rest. */
  public static canary(options: CanaryOptions = {}): DeploymentStrategy {
    return new BlueGreen('CANARY', options, options.canarySize ?? DEPLOYMENT_DEFAULTS.canarySize);
  }

  /** Blue/green: equal steps until all traffic moved. */
  public static linear(options: LinearOptions = {}): DeploymentStrategy {
    return new BlueGreen('LINEAR', options, options.stepSize ?? DEPLOYMENT_DEFAULTS.linearStepSize);
  }

  /** Blue/green: all traffic at once, then a bake time. */
  public static allAtOnce(options: BlueGreenOptions = {}): DeploymentStrategy {
    return new BlueGreen('ALL_AT_ONCE', options, undefined);
  }

  /** Rolling: replace the fleet in batches (needs one instance-based variant). */
  public static rolling(options: RollingOptions = {}): DeploymentStrategy {
    return new Rolling(options);
  }

  /** `CANARY`, `LINEAR`, `ALL_AT_ONCE` or `ROLLING`. */
  public abstract readonly kind: string;

  /** Records problems under `property`. */
  public abstract validate(v: Validator, property: string): void;

  /**
   * Records a problem under `property` when a traffic step cannot be applied to a variant that
   * starts with `instanceCount` instances (the smallest fleet of the endpoint).
   */
  public abstract validateFleet(v: Validator, property: string, instanceCount: number): void;

  /** The CloudFormation update policy. */
  public abstract render(): RenderedPolicy;
}

function checkWait(v: Validator, d: Duration | undefined, property: string): void {
  if (d === undefined || d.isUnresolved()) return;
  const s = d.toSeconds({ integral: false });
  v.check(Number.isInteger(s) && s >= 0 && s <= 3600, property, d, 'must be a whole number of seconds from 0 to 1 hour');
}

function checkTimeout(v: Validator, d: Duration | undefined, property: string): void {
  if (d === undefined || d.isUnresolved()) return;
  const s = d.toSeconds({ integral: false });
  v.check(Number.isInteger(s) && s >= 600 && s <= 14400, property, d, 'must be a whole number of seconds from 10 minutes to 4 hours');
}

function checkSize(v: Validator, size: CapacitySize, property: string, maxPercent: number, minPercent = 1): void {
  const allowed = `must be ${size.type === 'CAPACITY_PERCENT' ? `a whole percentage from ${minPercent} to ${maxPercent}` : 'a whole instance count of at least 1'}`;
  v.check(size.type === 'CAPACITY_PERCENT' || size.type === 'INSTANCE_COUNT', `${property}.type`, size.type, 'must be CAPACITY_PERCENT or INSTANCE_COUNT');
  const ok = Number.isInteger(size.value) && size.value >= 1
    && (size.type !== 'CAPACITY_PERCENT' || (size.value >= minPercent && size.value <= maxPercent));
  v.check(ok, `${property}.value`, size.value, allowed);
}

class BlueGreen extends DeploymentStrategy {
  constructor(public readonly kind: string, private readonly options: BlueGreenOptions, private readonly size: CapacitySize | undefined) {
    super();
  }

  public validate(v: Validator, property: string): void {
    checkWait(v, this.options.wait, `${property}.wait`);
    checkWait(v, this.options.terminationWait, `${property}.terminationWait`);
    checkTimeout(v, this.options.maximumExecutionTimeout, `${property}.maximumExecutionTimeout`);
    // SageMaker caps a canary at half the new fleet; a linear step must be 10-50% of it.
    if (this.size) checkSize(v, this.size, `${property}.${this.kind === 'CANARY' ? 'canarySize' : 'stepSize'}`, 50, this.kind === 'LINEAR' ? 10 : 1);
  }

  public validateFleet(v: Validator, property: string, n: number): void {
    const size = this.size;
    if (!size || !Number.isInteger(size.value) || !Number.isInteger(n) || n < 1) return;
    // "CanarySize ... Value must be less than or equal to 50% of the variant's total instance count";
    // "LinearStepSize ... Value must be 10-50% of the variant's total instance count"
    // (SageMaker API reference, TrafficRoutingConfig). A step is whole instances; the reference does
    // not say how a percentage is rounded, so it is checked rounded up (the case that can exceed half).
    const half = Math.floor(n / 2);
    const instances = size.type === 'CAPACITY_PERCENT' ? Math.ceil((size.value * n) / 100) : size.value;
    v.check(instances <= half, property, `${this.kind} ${size.type === 'CAPACITY_PERCENT' ? `${size.value} percent` : `${size.value} instances`}`,
      `must move at most half of the smallest variant's fleet in whole instances; the smallest variant starts with ${n} instance${n === 1 ? '' : 's'}`
      + (half < 1 ? ': use DeploymentStrategy.allAtOnce() (blue/green with bake time and auto-rollback) or two or more instances' : ` (at most ${half})`));
  }

  public render(): RenderedPolicy {
    const size = this.size ? { type: this.size.type, value: this.size.value } : undefined;
    return {
      blueGreenUpdatePolicy: {
        trafficRoutingConfiguration: {
          type: this.kind,
          waitIntervalInSeconds: seconds(this.options.wait ?? DEPLOYMENT_DEFAULTS.wait),
          canarySize: this.kind === 'CANARY' ? size : undefined,
          linearStepSize: this.kind === 'LINEAR' ? size : undefined,
        },
        terminationWaitInSeconds: seconds(this.options.terminationWait ?? DEPLOYMENT_DEFAULTS.terminationWait),
        maximumExecutionTimeoutInSeconds: seconds(this.options.maximumExecutionTimeout),
      },
    };
  }
}

class Rolling extends DeploymentStrategy {
  public readonly kind = 'ROLLING';

  constructor(private readonly options: RollingOptions) {
    super();
  }

  public validate(v: Validator, property: string): void {
    checkWait(v, this.options.wait, `${property}.wait`);
    checkTimeout(v, this.options.maximumExecutionTimeout, `${property}.maximumExecutionTimeout`);
    checkSize(v, this.options.maximumBatchSize ?? DEPLOYMENT_DEFAULTS.rollingBatchSize, `${property}.maximumBatchSize`, 50);
    if (this.options.rollbackMaximumBatchSize) checkSize(v, this.options.rollbackMaximumBatchSize, `${property}.rollbackMaximumBatchSize`, 100);
  }

  public validateFleet(): void {
    // Rolling batches are checked by validate (at most 50 percent).
  }

  public render(): RenderedPolicy {
    const batch = this.options.maximumBatchSize ?? DEPLOYMENT_DEFAULTS.rollingBatchSize;
    const rollback = this.options.rollbackMaximumBatchSize;
    return {
      rollingUpdatePolicy: {
        maximumBatchSize: { type: batch.type, value: batch.value },
        waitIntervalInSeconds: seconds(this.options.wait ?? DEPLOYMENT_DEFAULTS.wait)!,
        rollbackMaximumBatchSize: rollback ? { type: rollback.type, value: rollback.value } : undefined,
        maximumExecutionTimeoutInSeconds: seconds(this.options.maximumExecutionTimeout),
      },
    };
  }
}

/**
 * The rollout an endpoint gets when none is given, valid for its smallest variant of
 * `instanceCount` instances: with one instance a canary or linear step cannot be at most half
 * the fleet, so blue/green all at once with the bake time and auto-rollback; with two or more, a
 * canary of one instance (at most half the fleet), then the rest.
 */
export function defaultDeployment(instanceCount: number): DeploymentStrategy {
  return instanceCount >= 2
    ? DeploymentStrategy.canary({ canarySize: DEPLOYMENT_DEFAULTS.fleetCanarySize })
    : DeploymentStrategy.allAtOnce();
}
