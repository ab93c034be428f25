import { Token } from 'aws-cdk-lib';
import { Validator } from '../../core/errors';
import { ModelDeclaration, ModelRegistryImportProps, ModelRegistryProps, TrackingServerSize } from '../model-registry-props';
import { APPROVED, MAX_EVENT_PATTERN_LENGTH, REJECTED, approvalStatusPattern, renderedPatternLength } from './events';

/** Model names: lowercase words of letters and digits joined by single hyphens (a subset of SageMaker group names). */
const MODEL_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** What SageMaker accepts as a model package group name. */
export const GROUP_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const MAX_GROUP_NAME = 63;
/** Characters SageMaker accepts in a model package group description. */
const DESCRIPTION = /^[\p{L}\p{M}\p{Z}\p{S}\p{N}\p{P}]*$/u;
const MAX_DESCRIPTION = 1024;
const ACCOUNT_ID = /^\d{12}$/;
const MLFLOW_VERSION = /^\d+(\.\d+)+$/;
const MAINTENANCE_WINDOW = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun):([01]\d|2[0-3]):([0-5]\d)$/;
const MIN_RETENTION = 1;
const MAX_RETENTION = 1000;
/** Project and environment names, as `Platform.configure` accepts them. */
const PROJECT_OR_ENVIRONMENT = /^[a-z](?:[a-z0-9-]{0,18}[a-z0-9])?$/;

/** What validation needs to know about the construct. */
export interface RegistryContext {
  /** The model package group name a model name turns into, untruncated. */
  groupName(model: string): string;
  /** The stack's account, or a token when the stack is environment-agnostic. */
  readonly account: string;
}

/**
 * Checks the model list (names, uniqueness, group name length, descriptions, and that the approval
 * rules' event patterns fit); `namePath` is where a model's name sits in the props.
 */
function validateModels(v: Validator, declared: unknown, ctx: Pick<RegistryContext, 'groupName'>, namePath: (i: number) => string): void {
  const models = (Array.isArray(declared) ? declared : []) as Array<Partial<ModelDeclaration> | undefined>;
  v.check(models.length > 0, 'models', models.length, 'must declare at least one model');
  const seen = new Set<string>();
  const groups: string[] = [];
  for (const [i, m] of models.entries()) {
    const path = namePath(i);
    const name = m?.name;
    if (typeof name !== 'string' || Token.isUnresolved(name)) {
      v.check(false, path, typeof name === 'string' ? '(unresolved token)' : name,
        'must be a literal string: model names become construct IDs and physical names');
      continue;
    }
    const nameOk = v.matches(name, MODEL_NAME, path,
      'must be lowercase letters and digits, words joined by single hyphens, starting and ending with a letter or digit');
    if (nameOk) {
      const group = ctx.groupName(name);
      const lengthOk = v.check(group.length <= MAX_GROUP_NAME && GROUP_NAME.test(group), path, name,
        `makes the model package group name "${group}" ${group.length} characters long; SageMaker allows at most ${MAX_GROUP_NAME} ` +
        `(at most ${MAX_GROUP_NAME - (group.length - name.length)} for the model name in this project and environment)`);
      if (lengthOk) groups.push(group);
    }
    v.check(!seen.has(name), path, name, 'must be unique: each model is declared once');
    seen.add(name);
    const d = m?.description;
    if (d !== undefined && !Token.isUnresolved(d)) {
      v.check(d.length <= MAX_DESCRIPTION && DESCRIPTION.test(d), `models[${i}].description`, d.length > 60 ? `${d.slice(0, 60)}...` : d,
        `must be at most ${MAX_DESCRIPTION} letters, digits, spaces, punctuation or symbols (got ${d.length} characters)`);
    }
  }
  for (const status of [APPROVED, REJECTED]) {
    const length = renderedPatternLength(approvalStatusPattern(groups, status));
    if (!v.check(length <= MAX_EVENT_PATTERN_LENGTH, 'models', `${groups.length} models`,
      `make the ${status.toLowerCase()} rule's event pattern ${length} characters long; EventBridge allows ${MAX_EVENT_PATTERN_LENGTH} ` +
      'by default: split the models across registries')) break;
  }
}

function validateMlflow(v: Validator, props: ModelRegistryProps): void {
  const m = props.mlflow;
  if (!m) return;
  if (m.size !== undefined) {
    v.check(TrackingServerSize.SUPPORTED.includes(m.size.name), 'mlflow.size', m.size.name,
      `must be one of ${TrackingServerSize.SUPPORTED.join(', ')}`);
  }
  if (m.mlflowVersion !== undefined) {
    v.check(MLFLOW_VERSION.test(m.mlflowVersion) && m.mlflowVersion.length <= 16, 'mlflow.mlflowVersion', m.mlflowVersion,
      'must be a version of at most 16 characters such as "2.16.2" (numbers separated by dots)');
  }
  v.matches(m.weeklyMaintenanceWindowStart, MAINTENANCE_WINDOW, 'mlflow.weeklyMaintenanceWindowStart',
    'must be "Ddd:HH:MM" in UTC with Ddd one of Mon, Tue, Wed, Thu, Fri, Sat, Sun, for example "Sun:03:30"');
}

/** An IAM role ARN (any partition), its account captured; no wildcards. */
const READER_ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

/** Validates the registry's props; collects every problem in `v`. */
export function validateRegistryProps(v: Validator, props: ModelRegistryProps, ctx: RegistryContext): void {
  validateModels(v, props.models, ctx, (i) => `models[${i}].name`);

  const n = props.imageRetention;
  if (n !== undefined) {
    v.check(Number.isInteger(n) && n >= MIN_RETENTION && n <= MAX_RETENTION, 'imageRetention', n,
      `must be a whole number of images from ${MIN_RETENTION} to ${MAX_RETENTION}`);
  }

  const readers = props.crossAccountReaders ?? [];
  const seen = new Set<string>();
  for (const [i, arn] of readers.entries()) {
    const path = `crossAccountReaders[${i}]`;
    if (typeof arn === 'string' && Token.isUnresolved(arn)) continue;
    const m = typeof arn === 'string' ? READER_ROLE_ARN.exec(arn) : null;
    if (!v.check(m !== null, path, arn, typeof arn === 'string' && ACCOUNT_ID.test(arn)
      ? 'must be the exact ARN of an IAM role (arn:aws:iam::<account>:role/<name>): a whole account is no longer admitted, name the roles that read'
      : 'must be the exact ARN of an IAM role: arn:aws:iam::<12-digit account>:role/<name>, no wildcard')) continue;
    v.check(!seen.has(arn), path, arn, 'must be unique: each role is listed once');
    seen.add(arn);
    v.check(Token.isUnresolved(ctx.account) || m![1] !== ctx.account, path, arn,
      'must be a role of another account than the registry\'s: grant same-account access with grantRead');
  }

  validateMlflow(v, props);
}

/** A project or environment name of an imported registry: a literal that `Platform.configure` would accept. */
function validateNamePart(v: Validator, value: unknown, property: string): void {
  if (typeof value !== 'string' || Token.isUnresolved(value)) {
    v.check(false, property, typeof value === 'string' ? '(unresolved token)' : value,
      'must be a literal string: it names the SSM parameters, model package groups and repositories of the registry');
    return;
  }
  v.matches(value, PROJECT_OR_ENVIRONMENT, property,
    'must be 1-20 lowercase letters, digits or hyphens, starting with a letter and not ending with a hyphen');
}

/** Validates the props of an imported registry; collects every problem in `v`. */
export function validateImportProps(v: Validator, props: ModelRegistryImportProps, ctx: Pick<RegistryContext, 'groupName'>): void {
  validateNamePart(v, props.environment, 'environment');
  if (props.project !== undefined) validateNamePart(v, props.project, 'project');
  const models = Array.isArray(props.models) ? props.models.map((name) => ({ name })) : props.models;
  validateModels(v, models, ctx, (i) => `models[${i}]`);
  const o = props.stackOutputs;
  if (o) {
    v.matches(o.stackName, /^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'stackOutputs.stackName', 'must be a CloudFormation stack name: a letter, then up to 127 letters, digits or hyphens');
    v.matches(o.roleArn, READER_ROLE_ARN, 'stackOutputs.roleArn', 'must be the exact ARN of an IAM role of the registry\'s account');
    v.matches(o.region, /^[a-z]{2}(-[a-z]+)+-\d$/, 'stackOutputs.region', 'must be an AWS region code such as eu-west-1');
  }
}
