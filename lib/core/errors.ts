import { Duration, Size, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** One problem found while validating a construct's props. */
export interface ValidationProblem {
  /** Property path, for example `zones.raw.lifecycle.glacierAfter`. */
  readonly property: string;
  /** The value that was received, rendered for humans. */
  readonly value: string;
  /** What is allowed instead. */
  readonly allowed: string;
}

/**
 * The one error type every construct in this library throws for bad input.
 *
 * It carries every problem found (not only the first), each naming the construct path, the
 * property, the value received and what is allowed.
 */
export class ValidationError extends Error {
  /** Path of the construct whose props were invalid. */
  public readonly constructPath: string;
  /** Every problem found, in the order they were checked. */
  public readonly problems: readonly ValidationProblem[];

  constructor(constructPath: string, problems: readonly ValidationProblem[]) {
    const lines = problems.map((p) => `  - ${p.property} (${p.value}): ${p.allowed}`);
    super(`Invalid configuration for ${constructPath} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`);
    this.name = 'ValidationError';
    this.constructPath = constructPath;
    this.problems = problems;
    Object.setPrototypeOf(this, ValidationError.prototype);
  }
}

/** Renders a prop value for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null) return 'null';
  if (value instanceof Duration) return value.toHumanString();
  if (value instanceof Size) return describeSize(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const SIZE_UNITS: Array<[string, number]> = [['TiB', 1024 ** 4], ['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]];

/** `129 MiB` rather than `135266304 bytes`: the largest binary unit that divides the size evenly. */
function describeSize(size: Size): string {
  const bytes = size.toBytes();
  for (const [unit, factor] of SIZE_UNITS) {
    if (bytes >= factor && bytes % factor === 0) return `${bytes / factor} ${unit}`;
  }
  return `${bytes} bytes`;
}

/** True when a value (or a Duration/Size wrapping one) is an unresolved token, which is never validated. */
export function isUnresolved(value: unknown): boolean {
  if (value instanceof Duration) return value.isUnresolved();
  if (value instanceof Size) return value.isUnresolved();
  if (typeof value === 'string' || typeof value === 'number') return Token.isUnresolved(value);
  return false;
}

/**
 * Collects validation problems and throws them together as one {@link ValidationError}.
 *
 * @example
 * class Scaling extends Construct {
 *   constructor(scope: Construct, id: string, min: number, max: number) {
 *     super(scope, id);
 *     const v = new Validator(this);
 *     v.check(min <= max, 'minCapacity', min, `must not exceed maxCapacity (${max})`);
 *     v.throwIfAny();
 *   }
 * }
 */
export class Validator {
  private readonly problems: ValidationProblem[] = [];

  constructor(private readonly scope: IConstruct) {}

  /** Records a problem unless `ok` holds. Unresolved tokens in `value` are never reported. */
  public check(ok: boolean, property: string, value: unknown, allowed: string): boolean {
    if (ok || isUnresolved(value)) return true;
    this.problems.push({ property, value: describeValue(value), allowed });
    return false;
  }

  /** Records a problem unconditionally (skipped for unresolved tokens). */
  public fail(property: string, value: unknown, allowed: string): void {
    this.check(false, property, value, allowed);
  }

  /** Checks a string against a pattern; undefined values pass. */
  public matches(value: string | undefined, pattern: RegExp, property: string, allowed: string): boolean {
    if (value === undefined) return true;
    return this.check(pattern.test(value), property, value, allowed);
  }

  /**
   * Checks that a value given where an enum-like class is expected is an instance of it: plain
   * JavaScript, YAML or JSON values (such as the string `'ml.m5.large'`) are refused with the
   * factories to use, instead of failing later with a TypeError. Undefined values pass.
   *
   * @example
   * // given: v: Validator; props: { instanceType?: MlInstanceType }
   * v.isInstance(props.instanceType, MlInstanceType, 'instanceType', 'MlInstanceType.M5_LARGE or MlInstanceType.of("ml.m5.large")');
   */
  public isInstance<T extends object>(value: unknown, type: { readonly prototype: T; readonly name: string }, property: string, use: string): value is T {
    // Enum-like classes have private constructors, so the prototype chain is checked rather than `instanceof`.
    if (value === undefined || (typeof value === 'object' && value !== null && Object.prototype.isPrototypeOf.call(type.prototype, value))) return true;
    const what = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'a plain object' : `a plain ${typeof value}`;
    this.problems.push({ property, value: describeValue(value), allowed: `must be ${/^[AEIOU]/.test(type.name) ? 'an' : 'a'} ${type.name} (${use}), not ${what}` });
    return false;
  }

  /** Checks that an optional number lies within [min, max]; undefined values pass. */
  public inRange(value: number | undefined, min: number, max: number, property: string): boolean {
    if (value === undefined) return true;
    return this.check(Number.isFinite(value) && value >= min && value <= max, property, value, `must be between ${min} and ${max}`);
  }

  /** Problems recorded so far. */
  public get count(): number {
    return this.problems.length;
  }

  /** Throws one ValidationError listing every recorded problem, if there are any. */
  public throwIfAny(): void {
    if (this.problems.length > 0) {
      throw new ValidationError(this.scope.node.path || '<root>', [...this.problems]);
    }
  }
}
