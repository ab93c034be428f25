import { IConstruct } from 'constructs';
import { ENVIRONMENT_NAMES } from '../../core/config';
import { Validator } from '../../core/errors';
import { PlatformStageProps } from '../platform-config';

const PIPELINE_ID = /^[A-Z][A-Za-z0-9]{0,63}$/;
const CIDR = /^(\d{1,3}\.){3}\d{1,3}\/\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
/** Deliberately loose (SNS checks the address when it sends the confirmation): something@domain.tld, no spaces. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A stack per few models is pointless; past this, a model group no longer fits the 500-resource limit. */
const MAX_MODELS_PER_STACK = 20;
/** Past about 22, a monitoring stack of single-variant endpoints with their drift jobs reaches the 500-resource limit; 20 keeps a margin. */
const MAX_ENDPOINTS_PER_MONITORING_STACK = 20;

/** Validates a platform stage's definition and environment; one ValidationError lists every problem. */
export function validateStageProps(scope: IConstruct, props: PlatformStageProps): void {
  const v = new Validator(scope);
  const { definition: d, environment: e } = props;
  v.check(d.models.length > 0, 'definition.models', '[]', 'must declare at least one model');
  const modelNames = new Set<string>();
  // The name rules themselves are the registry's (it validates them when the ML stack is built).
  d.models.forEach((m, i) => {
    v.check(!modelNames.has(m.name), `definition.models[${i}].name`, m.name, 'must be unique');
    modelNames.add(m.name);
  });
  const pipelineIds = new Map<string, boolean>();
  (d.pipelines ?? []).forEach((p, i) => {
    v.matches(p.id, PIPELINE_ID, `definition.pipelines[${i}].id`, 'must be a PascalCase construct ID (letters and digits, starting with a capital)');
    v.check(!pipelineIds.has(p.id), `definition.pipelines[${i}].id`, p.id, 'must be unique');
    pipelineIds.set(p.id, p.batch !== undefined);
  });
  // One data contract: drift is computed over the model's declared features (columns of its training table,
  // validated by TrainingCluster), never over names of its own.
  d.models.forEach((m, i) => {
    const declared = m.training.managed?.features ?? [];
    const mustBeDeclared = (f: string, property: string) => v.check(declared.includes(f), property, f,
      `must be one of the model's declared features (training.managed.features): ${declared.join(', ') || 'none'}`);
    (m.monitoring?.modelMonitor?.dataQuality?.driftFeatures ?? []).forEach((f, j) => mustBeDeclared(f, `definition.models[${i}].monitoring.modelMonitor.dataQuality.driftFeatures[${j}]`));
    const drift = m.monitoring?.drift;
    if (drift) (drift.features ?? []).forEach((f, j) => mustBeDeclared(f, `definition.models[${i}].monitoring.drift.features[${j}]`));
  });
  d.models.forEach((m, i) => (m.training.retrainAfter ?? []).forEach((id, j) => {
    v.check(pipelineIds.get(id) === true, `definition.models[${i}].training.retrainAfter[${j}]`, id,
      `must be the ID of a pipeline with a batch part; batch pipelines: ${[...pipelineIds].filter(([, b]) => b).map(([k]) => k).join(', ') || 'none'}`);
  }));

  // The environment itself, as JavaScript or a config file may give it.
  const profile: unknown = e.profile;
  v.check(typeof profile === 'object' && profile !== null && typeof (profile as { name?: unknown }).name === 'string', 'environment.profile', profile,
    'must be an EnvironmentProfile: Profiles.DEV, Profiles.STAGING, Profiles.PROD or Profiles.of(name)');
  v.check((ENVIRONMENT_NAMES as readonly string[]).includes(e.name), 'environment.name', e.name, `must be one of ${ENVIRONMENT_NAMES.join(', ')}`);
  v.matches(e.account, ACCOUNT, 'environment.account', 'must be a 12-digit AWS account ID');
  v.matches(e.region, REGION, 'environment.region', 'must be an AWS region code such as eu-west-1');
  if (e.drRegion !== undefined) {
    v.matches(e.drRegion, REGION, 'environment.drRegion', 'must be an AWS region code such as us-west-2');
    v.check(e.drRegion !== e.region, 'environment.drRegion', e.drRegion, `must differ from environment.region (${e.region}): replicas must survive the loss of the Region`);
    v.check(e.profile?.crossRegionReplication === true, 'environment.drRegion', e.drRegion,
      `is set but profile ${e.profile?.name} does not replicate (crossRegionReplication is not true); use { ...Profiles.${(e.profile?.name ?? '').toUpperCase()}, crossRegionReplication: true } to replicate it, or remove drRegion`);
  }
  (['alarmEmails', 'approverEmails'] as const).forEach((k) => (e[k] ?? []).forEach((email, i) =>
    v.matches(email, EMAIL, `environment.${k}[${i}]`, 'must be an email address (SNS email subscriptions are confirmed by mail)')));
  v.check(e.modelsPerStack === undefined || (Number.isInteger(e.modelsPerStack) && e.modelsPerStack >= 1 && e.modelsPerStack <= MAX_MODELS_PER_STACK),
    'environment.modelsPerStack', e.modelsPerStack, `must be a whole number between 1 and ${MAX_MODELS_PER_STACK}`);
  v.check(e.endpointsPerMonitoringStack === undefined || (Number.isInteger(e.endpointsPerMonitoringStack) && e.endpointsPerMonitoringStack >= 1
    && e.endpointsPerMonitoringStack <= MAX_ENDPOINTS_PER_MONITORING_STACK), 'environment.endpointsPerMonitoringStack', e.endpointsPerMonitoringStack,
  `must be a whole number between 1 and ${MAX_ENDPOINTS_PER_MONITORING_STACK}`);
  const targets = e.promotesTo ?? [];
  const seen = new Set<string>();
  targets.forEach((t, i) => {
    v.check((ENVIRONMENT_NAMES as readonly string[]).includes(t.environment), `environment.promotesTo[${i}].environment`, t.environment,
      `must be one of ${ENVIRONMENT_NAMES.join(', ')}`);
    v.check(!seen.has(t.environment), `environment.promotesTo[${i}].environment`, t.environment, 'must appear once');
    seen.add(t.environment);
  });
  v.check(props.servedFrom === undefined || (ENVIRONMENT_NAMES as readonly string[]).includes(props.servedFrom), 'servedFrom', props.servedFrom,
    `must be one of ${ENVIRONMENT_NAMES.join(', ')}`);

  const n = e.network;
  if (n) {
    v.matches(n.vpcCidrBlock, CIDR, 'environment.network.vpcCidrBlock', 'must be an IPv4 CIDR block such as 10.0.0.0/16');
    v.check(n.subnetIds.length > 0, 'environment.network.subnetIds', '[]', 'must list at least one subnet');
    v.check(n.subnetIds.length === n.availabilityZones.length, 'environment.network.availabilityZones', n.availabilityZones.join(', '),
      `must list one zone per subnet (${n.subnetIds.length} subnets)`);
    v.check(n.routeTableIds === undefined || n.routeTableIds.length === n.subnetIds.length, 'environment.network.routeTableIds',
      (n.routeTableIds ?? []).join(', '), `must list one route table per subnet (${n.subnetIds.length} subnets)`);
  }
  v.throwIfAny();
}
