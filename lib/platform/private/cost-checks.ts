import { Annotations, Aspects, Stage, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { IConstruct } from 'constructs';
import { EnvironmentProfile } from '../../core/environment';

/** Warning IDs of the dev profile's cost checks (issue 18: dev costs at most $30 a month at rest). */
export const COST_WARNINGS = {
  interfaceEndpoint: 'mlops:cost:devInterfaceEndpoint',
  alwaysOnEndpoint: 'mlops:cost:devAlwaysOnEndpoint',
  onDemandStream: 'mlops:cost:devOnDemandStream',
  subDailySchedule: 'mlops:cost:devSubDailySchedule',
} as const;

/** Instance families with GPUs or accelerators (ml.g*, ml.p*, ml.inf*, ml.trn*): the priciest always-on hours. */
const ACCELERATED = /^ml\.(g\d|p\d|inf\d|trn\d)/;

/**
 * Warns, on the construct that costs, about what makes the dev profile cost more than its budget at
 * rest: an interface VPC endpoint (billed per AZ-hour, AWS PrivateLink pricing), an instance-based
 * endpoint variant (billed per instance-hour while the endpoint exists, SageMaker AI pricing; GPU and
 * accelerator instances named), an on-demand Kinesis stream (billed per stream-hour, Kinesis Data
 * Streams pricing) and a scheduled Glue trigger that runs more than once a day (each run billed for
 * its DPUs, AWS Glue pricing). Only for the profile named `dev`; staging and prod keep their choices.
 */
export function warnCostlyDevDefaults(stage: Stage, profile: EnvironmentProfile): void {
  if (profile.name !== 'dev') return;
  // An aspect, so that what is added to the stage after its constructor (escape hatches) is checked too.
  Aspects.of(stage).add({ visit: checkCost });
}

function checkCost(c: IConstruct): void {
  if (c instanceof ec2.CfnVPCEndpoint && c.vpcEndpointType === 'Interface') {
    warn(c, COST_WARNINGS.interfaceEndpoint, `interface VPC endpoint ${c.node.scope?.node.id ?? c.node.id} in the dev profile: billed per AZ-hour even when idle; `
      + 'dev runs SageMaker jobs on the managed network (profile sagemakerNetwork \'managed\') and serves serverless so that it needs none');
  } else if (c instanceof sagemaker.CfnEndpointConfig) {
    const variants = [...asArray(c.productionVariants), ...asArray(c.shadowProductionVariants)] as sagemaker.CfnEndpointConfig.ProductionVariantProperty[];
    for (const v of variants) {
      if (v.serverlessConfig !== undefined || v.instanceType === undefined) continue;
      const kind = typeof v.instanceType === 'string' && ACCELERATED.test(v.instanceType) ? 'GPU/accelerator ' : '';
      warn(c, COST_WARNINGS.alwaysOnEndpoint, `always-on ${kind}endpoint instance ${v.instanceType} in the dev profile: billed every hour the endpoint exists; `
        + 'leave serving.variants unset in dev to get the profile\'s serverless variant (no cost without requests)');
    }
  } else if (c instanceof kinesis.CfnStream) {
    const mode = (c.streamModeDetails as kinesis.CfnStream.StreamModeDetailsProperty | undefined)?.streamMode;
    if (mode === 'ON_DEMAND') {
      warn(c, COST_WARNINGS.onDemandStream, 'on-demand Kinesis stream in the dev profile: billed per stream-hour even without data; set streaming.shardCount (dev default: one provisioned shard)');
    }
  } else if (c instanceof glue.CfnTrigger && c.type === 'SCHEDULED' && typeof c.schedule === 'string' && !Token.isUnresolved(c.schedule)
    && runsMoreThanDaily(c.schedule)) {
    warn(c, COST_WARNINGS.subDailySchedule, `scheduled Glue job on ${c.schedule} in the dev profile: each run is billed for its workers; dev checks drift daily`);
  }
}

function warn(scope: IConstruct, id: string, message: string): void {
  Annotations.of(scope).addWarningV2(id, message);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * Whether a `rate(...)` or six-field `cron(...)` schedule runs more than once a day: a rate in
 * minutes or hours, or a cron whose minutes or hours field is not one value.
 */
export function runsMoreThanDaily(expression: string): boolean {
  const rate = /^rate\(\d+ (minute|minutes|hour|hours)\)$/.exec(expression);
  if (rate) return true;
  const cron = /^cron\((.*)\)$/.exec(expression);
  if (!cron) return false;
  const [minutes, hours] = cron[1].trim().split(/\s+/);
  const single = (f: string | undefined) => f !== undefined && /^\d+$/.test(f);
  return !single(minutes) || !single(hours);
}
