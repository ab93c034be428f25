import { Duration, Token } from 'aws-cdk-lib';
import { Validator } from '../../core/errors';
import { validateAvailabilityZones } from '../../core/network';
import { DeploymentStrategy } from '../deployment';
import { MlInstanceType } from '../../core/ml-instance-type';
import { inferenceInstanceTypeProblem } from '../instance-types';
import { ModelSource } from '../model-source';
import { INFERENCE_DEFAULTS, InferenceEndpointProps, VariantOptions, profileDefaults } from '../inference-endpoint-props';

const VARIANT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const PREFIX = /^([a-zA-Z0-9!_.*'()-]+\/)+$/;
/** Alarms the endpoint creates for auto-rollback (5xx, p99 model latency, model errors). */
export const ROLLBACK_ALARM_COUNT = 3;
/** Memory sizes SageMaker serverless inference accepts, in MiB. */
export const SERVERLESS_MEMORY_SIZES = [1024, 2048, 3072, 4096, 5120, 6144];

const isInt = (n: unknown, min: number, max: number) => typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max;

function checkInt(v: Validator, n: number | undefined, min: number, max: number, property: string): void {
  if (n === undefined) return;
  v.check(isInt(n, min, max), property, n, `must be a whole number from ${min} to ${max}`);
}

function checkCooldown(v: Validator, d: Duration | undefined, property: string): void {
  if (d === undefined || d.isUnresolved()) return;
  const s = d.toSeconds({ integral: false });
  v.check(Number.isInteger(s) && s >= 0 && s <= 3600, property, d, 'must be a whole number of seconds from 0 to 1 hour');
}

function checkVariant(v: Validator, variant: VariantOptions, path: string, profileName: string): void {
  const name = variant.name ?? INFERENCE_DEFAULTS.variantName;
  v.matches(name, VARIANT_NAME, `${path}.name`, 'must be 1-63 letters, digits or hyphens, starting and ending with a letter or digit');
  if (variant.weight !== undefined && !Token.isUnresolved(variant.weight)) {
    v.check(Number.isFinite(variant.weight) && variant.weight >= 0, `${path}.weight`, variant.weight, 'must be a finite number of at least 0');
  }
  if (v.isInstance(variant.model, ModelSource, `${path}.model`, 'ModelSource.fromRegistry(registry, model) or ModelSource.fromImage(uri)')) variant.model?.validate(v, `${path}.model`);
  const s = variant.serverless;
  if (s) {
    v.check(SERVERLESS_MEMORY_SIZES.includes(s.memorySizeMiB), `${path}.serverless.memorySizeMiB`, s.memorySizeMiB,
      `must be one of ${SERVERLESS_MEMORY_SIZES.join(', ')}`);
    checkInt(v, s.maxConcurrency, 1, 200, `${path}.serverless.maxConcurrency`);
    checkInt(v, s.provisionedConcurrency, 1, isInt(s.maxConcurrency, 1, 200) ? s.maxConcurrency : 200, `${path}.serverless.provisionedConcurrency`);
    v.check(variant.instanceType === undefined, `${path}.instanceType`, variant.instanceType?.name, 'must not be set on a serverless variant');
    v.check(variant.initialInstanceCount === undefined, `${path}.initialInstanceCount`, variant.initialInstanceCount, 'must not be set on a serverless variant');
    v.check(!variant.autoScaling, `${path}.autoScaling`, variant.autoScaling, 'must not be set on a serverless variant (it scales by concurrency)');
    return;
  }
  if (!v.isInstance(variant.instanceType, MlInstanceType, `${path}.instanceType`, 'MlInstanceType.M5_LARGE or MlInstanceType.of("ml.m5.large")')) return;
  const type = variant.instanceType ?? INFERENCE_DEFAULTS.instanceType;
  const problem = inferenceInstanceTypeProblem(type);
  v.check(problem === undefined, `${path}.instanceType`, type.name, problem ?? '');
  checkInt(v, variant.initialInstanceCount, 1, 100, `${path}.initialInstanceCount`);
  const a = variant.autoScaling;
  if (a) {
    const row = profileDefaults(profileName);
    const initial = variant.initialInstanceCount ?? row.initialInstanceCount;
    checkInt(v, a.minCapacity, 1, 100, `${path}.autoScaling.minCapacity`);
    checkInt(v, a.maxCapacity, 1, 100, `${path}.autoScaling.maxCapacity`);
    const min = a.minCapacity ?? initial;
    const max = a.maxCapacity ?? Math.max(row.maxCapacity, min);
    if (Number.isFinite(min) && Number.isFinite(max)) {
      v.check(min <= max, `${path}.autoScaling.minCapacity`, min, `must not exceed maxCapacity (${max})`);
    }
    if (a.targetInvocationsPerInstance !== undefined) {
      v.check(Number.isFinite(a.targetInvocationsPerInstance) && a.targetInvocationsPerInstance > 0, `${path}.autoScaling.targetInvocationsPerInstance`,
        a.targetInvocationsPerInstance, 'must be a number above 0');
    }
    checkCooldown(v, a.scaleInCooldown, `${path}.autoScaling.scaleInCooldown`);
    checkCooldown(v, a.scaleOutCooldown, `${path}.autoScaling.scaleOutCooldown`);
  }
}

/** Every check on the props of an InferenceEndpoint; problems go to `v`. */
export function validateEndpointProps(v: Validator, props: InferenceEndpointProps, profileName: string): void {
  if (v.isInstance(props.model, ModelSource, 'model', 'ModelSource.fromRegistry(registry, model) or ModelSource.fromImage(uri)')) props.model?.validate(v, 'model');
  validateAvailabilityZones(v, props.availabilityZones, 'availabilityZones');
  v.check(props.availabilityZones === undefined || props.vpc === undefined, 'availabilityZones', props.availabilityZones,
    'must not be set with vpc (they are the zones of the VPC the endpoint creates)');
  const variants = props.variants ?? [{}];
  const all = props.shadowVariant ? [...variants, props.shadowVariant] : variants;
  v.check(variants.length >= 1, 'variants', `${variants.length} variants`,
    props.shadowVariant ? 'must hold at least one production variant when a shadowVariant is set' : 'must hold at least one production variant');
  v.check(all.length <= INFERENCE_DEFAULTS.maxVariants, 'variants', `${all.length} variants`,
    `must be at most ${INFERENCE_DEFAULTS.maxVariants}, including the shadow variant`);
  variants.forEach((variant, i) => checkVariant(v, variant ?? {}, `variants[${i}]`, profileName));
  if (props.shadowVariant) checkVariant(v, props.shadowVariant, 'shadowVariant', profileName);

  const names = all.map((x) => x?.name ?? INFERENCE_DEFAULTS.variantName);
  names.forEach((n, i) => {
    if (names.indexOf(n) !== i) v.fail(i < variants.length ? `variants[${i}].name` : 'shadowVariant.name', n, 'must be unique among the variants (shadow included)');
  });
  const weights = variants.map((x) => x?.weight ?? INFERENCE_DEFAULTS.weight);
  if (variants.length > 0 && weights.every((w) => typeof w === 'number' && !Token.isUnresolved(w))) {
    v.check(weights.some((w) => w > 0), 'variants[*].weight', weights, 'at least one production variant must have a weight above 0');
  }

  const serverless = all.filter((x) => x?.serverless);
  if (serverless.length > 0) {
    const why = 'is not supported by serverless inference';
    v.check(all.length === 1, 'variants', `${all.length} variants`, 'a serverless endpoint must have exactly one variant and no shadow variant');
    v.check(props.dataCapture === undefined, 'dataCapture', 'set', why);
    v.check(props.asyncInference === undefined, 'asyncInference', 'set', why);
    v.check(props.vpc === undefined, 'vpc', props.vpc?.node.path, `${why} (no VPC configuration)`);
    v.check(props.subnets === undefined, 'subnets', 'set', why);
    v.check(props.securityGroups === undefined, 'securityGroups', 'set', why);
    v.check(props.encryptionKey === undefined, 'encryptionKey', props.encryptionKey?.node.path, `${why} (no volume KMS key)`);
    // SageMaker applies deployment guardrails only to real-time and asynchronous endpoints.
    const guardrails = 'is not supported by serverless inference (deployment guardrails apply only to real-time and asynchronous endpoints)';
    v.check(props.deployment === undefined, 'deployment', props.deployment?.kind, guardrails);
    v.check(props.rollbackAlarms === undefined, 'rollbackAlarms', 'set', guardrails);
    v.check(props.additionalRollbackAlarms === undefined, 'additionalRollbackAlarms', 'set', guardrails);
  }
  if (props.deployment?.kind === 'ROLLING' && serverless.length === 0) {
    v.check(all.length === 1, 'deployment', 'ROLLING',
      'rolling updates need exactly one instance-based production variant and no shadow variant; use a blue/green strategy');
  }
  if (v.isInstance(props.deployment, DeploymentStrategy, 'deployment', 'DeploymentStrategy.canary(), .linear(), .allAtOnce() or .rolling()')) {
    props.deployment?.validate(v, 'deployment');
    if (props.deployment && serverless.length === 0) props.deployment.validateFleet(v, 'deployment', smallestFleet(props, profileName));
  }

  const c = props.dataCapture;
  if (c) {
    if (c.samplingPercentage !== undefined) checkInt(v, c.samplingPercentage, 0, 100, 'dataCapture.samplingPercentage');
    v.matches(c.prefix, PREFIX, 'dataCapture.prefix', 'must be one or more S3 key segments, each ending with "/", no leading "/"');
    const zone = c.zone ?? INFERENCE_DEFAULTS.captureZone;
    v.check(c.lakehouse.hasZone(zone), 'dataCapture.zone', zone, `is not a zone of lakehouse ${c.lakehouse.node.path}`);
  }
  const a = props.asyncInference;
  if (a) {
    v.matches(a.prefix, PREFIX, 'asyncInference.prefix', 'must be one or more S3 key segments, each ending with "/", no leading "/"');
    checkInt(v, a.maxConcurrentInvocationsPerInstance, 1, 1000, 'asyncInference.maxConcurrentInvocationsPerInstance');
  }
  v.matches(props.endpointName, ENDPOINT_NAME, 'endpointName', 'must be 1-63 letters, digits or hyphens, starting and ending with a letter or digit');

  const r = props.rollbackAlarms ?? {};
  if (r.invocation5xxErrors !== undefined) checkInt(v, r.invocation5xxErrors, 1, 1_000_000, 'rollbackAlarms.invocation5xxErrors');
  if (r.modelErrors !== undefined) checkInt(v, r.modelErrors, 1, 1_000_000, 'rollbackAlarms.modelErrors');
  checkInt(v, r.evaluationPeriods, 1, 60, 'rollbackAlarms.evaluationPeriods');
  if (r.modelLatencyP99 && !r.modelLatencyP99.isUnresolved()) {
    const ms = r.modelLatencyP99.toMilliseconds({ integral: false });
    v.check(ms > 0 && ms <= 3_600_000, 'rollbackAlarms.modelLatencyP99', r.modelLatencyP99, 'must be above 0 and at most 1 hour');
  }
  const extra = props.additionalRollbackAlarms?.length ?? 0;
  v.check(extra <= 10 - ROLLBACK_ALARM_COUNT, 'additionalRollbackAlarms', `${extra} alarms`,
    `must be at most ${10 - ROLLBACK_ALARM_COUNT}: auto-rollback takes at most 10 alarms and the endpoint creates ${ROLLBACK_ALARM_COUNT}`);
}

/**
 * The fewest instances any instance-based variant (shadow included) may run with when an update
 * starts: its initial instance count, or its autoscaling minimum when that is lower.
 */
export function smallestFleet(props: InferenceEndpointProps, profileName: string): number {
  const row = profileDefaults(profileName);
  const all = [...(props.variants ?? [{}]), ...(props.shadowVariant ? [props.shadowVariant] : [])].filter((x) => !x.serverless);
  const counts = all.map((x) => {
    const initial = x.initialInstanceCount ?? row.initialInstanceCount;
    const min = x.autoScaling ? x.autoScaling.minCapacity : undefined;
    return min !== undefined && min < initial ? min : initial;
  });
  return counts.length === 0 ? row.initialInstanceCount : Math.min(...counts);
}
