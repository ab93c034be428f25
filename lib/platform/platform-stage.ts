import { Annotations, CfnOutput, CfnParameter, Stack, Stage } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { allowCloudWatchAlarmsToUseKey, createAlertTopic } from '../core/alerts';
import { applyPlatform } from '../core/apply';
import { bootstrapQualifier } from '../core/bootstrap';
import { createKey } from '../core/encryption';
import { EnvironmentName, SageMakerNetwork, ServerlessCapacity, sagemakerNetworkOf } from '../core/environment';
import { SAGEMAKER_HOSTING_INTERFACE_ENDPOINTS, SAGEMAKER_INTERFACE_ENDPOINTS, createIsolatedVpc } from '../core/network';
import { ReplicationDestinations, ReplicationOptions } from '../core/replication';
import { resolveRemovalPolicy } from '../core/removal';
import { EtlPipeline } from '../etl/etl-pipeline';
import { ApprovedVersionParameter } from '../inference/approved-version-parameter';
import { InferenceEndpoint } from '../inference/inference-endpoint';
import { ModelSource } from '../inference/model-source';
import { PromotionWorkflow } from '../inference/promotion-workflow';
import { LakehouseAccountSettings, catalogKeyParameterName } from '../lakehouse/account-settings';
import { DataLakehouse } from '../lakehouse/data-lakehouse';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import { ModelMonitor } from '../monitoring/model-monitor';
import { MonitoringStack } from '../monitoring/monitoring-stack';
import { IModelRegistry, ModelRegistry } from '../registry/model-registry';
import { RetrainTrigger } from '../training/retrain-trigger';
import { TrainingCluster } from '../training/training-cluster';
import { enforceResourceLimit } from './limits';
import { PLATFORM_DEFAULTS, PlatformEnvironment, PlatformModel, PlatformServing, PlatformStageProps } from './platform-config';
import { warnCostlyDevDefaults } from './private/cost-checks';
import { platformDriftOptions } from './private/drift';
import { crossAccountPlan } from './private/cross-account';
import { addPromotionTargetRole, addRegistryReaderRole, nameConsumerRoles } from './private/cross-account-resources';
import { modelConstructId, stackNames } from './private/names';
import { validateStageProps } from './private/validate';

/**
 * One environment of the MLOps platform as a `cdk.Stage`, with stacks split by lifecycle:
 *
 * - `<project>-<env>-data`: the lakehouse and the ETL pipelines;
 * - `<project>-<env>-ml`: the registry, the platform VPC, the promotion workflows and the first
 *   `modelsPerStack` retraining workflows (`-ml-2`, `-ml-3`... hold the next ones);
 * - `<project>-<env>-serving` (`-serving-2`...): the endpoints, which read the approved version
 *   from SSM at deploy time, so a promotion is an update of this stack;
 * - `<project>-<env>-monitoring` (`-monitoring-2`... past `endpointsPerMonitoringStack` endpoints):
 *   dashboard, alarms, the drift and model-quality job of each endpoint, failure events;
 * - `<project>-<env>-model-monitor`, only when a model opts into SageMaker Model Monitor (closed to
 *   new customers): its schedules, in a stack of their own so that a refusal cannot roll back the
 *   monitoring stack.
 *
 * Templates are written without indentation (a third smaller, further from CloudFormation's size
 * limit); snapshots and reviews read the parsed template, so nothing is lost.
 *
 * The loop: a batch pipeline's success starts retraining; a version that passes its metric is
 * registered pending approval; approval starts the promotion workflow, which updates the serving
 * stacks of `promotesTo` in order (a person approves each later one) through the endpoint's guarded
 * rollout; the drift job's drift and quality alarms start retraining again.
 */
export class PlatformStage extends Stage {
  /** The environment name. */
  public readonly environmentName: EnvironmentName;
  public readonly dataStack: Stack;
  /**
   * The `<project>-foundation` stack with the account-wide settings of this account and region
   * (Data Catalog encryption, Lake Formation administrators), when this stage owns them.
   */
  public readonly foundationStack?: Stack;
  /** The account-wide settings, when this stage owns them. */
  public readonly accountSettings?: LakehouseAccountSettings;
  /** The first ML stack (registry, network, promotions, first trainings). */
  public readonly mlStack: Stack;
  /** Every ML stack, first one included. */
  public readonly mlStacks: readonly Stack[];
  /** Every serving stack. */
  public readonly servingStacks: readonly Stack[];
  /** The first monitoring stack (dashboard, data, training and registry alarms, first endpoints). */
  public readonly monitoringStack: MonitoringStack;
  /** Every monitoring stack, first one included. */
  public readonly monitoringStacks: readonly MonitoringStack[];
  public readonly lakehouse: DataLakehouse;
  /** Pipelines by ID. */
  public readonly pipelines: ReadonlyMap<string, EtlPipeline>;
  public readonly registry: ModelRegistry;
  /** Retraining workflows by model name. */
  public readonly trainings: ReadonlyMap<string, TrainingCluster>;
  /** Endpoints by model name. */
  public readonly endpoints: ReadonlyMap<string, InferenceEndpoint>;
  /** Promotion workflows by model name (none when `promotesTo` is empty). */
  public readonly promotions: ReadonlyMap<string, PromotionWorkflow>;
  /** The opt-in Model Monitor stack (`<project>-<env>-model-monitor`), when a model opts in. */
  public readonly modelMonitorStack?: Stack;
  /** Opt-in Model Monitors by model name. */
  public readonly modelMonitors: ReadonlyMap<string, ModelMonitor>;
  /** The shared VPC of training, Model Monitor and endpoints. */
  public readonly vpc: ec2.IVpc;
  /**
   * Construct IDs of the interface endpoints the stage added to its VPC (none with an existing
   * `network`, none in a profile whose SageMaker network is 'managed' and whose models are all serverless).
   */
  public readonly interfaceEndpoints: readonly string[];
  /**
   * The `<project>-<env>-dr` stack in the DR Region (destination buckets, their key, latency alarms
   * and their topic), when the environment has a `drRegion`. It deploys before the data and ML stacks.
   */
  public readonly drStack?: Stack;
  /** The replication destinations in the DR stack. */
  public readonly replicationDestinations?: ReplicationDestinations;

  constructor(scope: Construct, id: string, props: PlatformStageProps) {
    const environment = props.environment;
    super(scope, id, {
      ...props,
      env: props.env ?? (environment.account || environment.region ? { account: environment.account, region: environment.region } : undefined),
    });
    const definition = props.definition;
    validateStageProps(this, props);
    this.environmentName = environment.name;
    applyPlatform(this, { project: definition.project, profile: environment.profile, owner: environment.owner, costCentre: environment.costCentre });

    const perStack = environment.modelsPerStack ?? PLATFORM_DEFAULTS.modelsPerStack;
    const names = stackNames(definition.project, environment.name);
    const models = definition.models;
    const shards = Math.max(1, Math.ceil(models.length / perStack));
    const stack = (stackId: string, stackName: string, description: string): Stack => {
      const s = new Stack(this, stackId, {
        stackName, description: `MLOps platform (${environment.name}): ${description}`,
        terminationProtection: environment.profile.deletionProtection,
        suppressTemplateIndentation: true,
      });
      enforceResourceLimit(s, `lower modelsPerStack (now ${perStack}) to spread models over more stacks`);
      return s;
    };

    // Data: the lakehouse and the pipelines into it.
    this.dataStack = stack('Data', names.data, 'data lakehouse and ETL');
    // Account-wide settings have one owner per account and region: this stage's foundation stack, or
    // (ownsAccountSettings: false) another environment's, which must be deployed first. Lakehouses never own them.
    const lakeFormation = definition.lakehouse?.lakeFormation;
    if (props.ownsAccountSettings ?? true) {
      this.foundationStack = new Stack(this, 'Foundation', {
        stackName: `${definition.project}-foundation`,
        description: `MLOps platform (${environment.name}): account-wide Data Catalog encryption and Lake Formation settings of ${definition.project}`,
        terminationProtection: environment.profile.deletionProtection,
        suppressTemplateIndentation: true,
      });
      this.accountSettings = new LakehouseAccountSettings(this.foundationStack, 'AccountSettings', {
        admins: lakeFormation?.admins, adminDeploymentRole: lakeFormation?.adminDeploymentRole,
      });
      this.dataStack.addStackDependency(this.foundationStack, 'the foundation makes the deployment role a Lake Formation administrator');
    } else {
      // Deploy-time check that the owner's foundation exists: CloudFormation resolves this parameter before it changes anything.
      const owner = new CfnParameter(this.dataStack, 'AccountCatalogKey', {
        type: 'AWS::SSM::Parameter::Value<String>',
        default: catalogKeyParameterName(this.dataStack),
        description: 'ARN of the Data Catalog key that the foundation stack of this account and region publishes (deploy that environment first)',
      });
      new CfnOutput(this.dataStack, 'AccountCatalogKeyArn', { value: owner.valueAsString, description: 'The Data Catalog key of this account and region (owned by another environment\'s foundation stack)' });
    }
    // Disaster recovery: the zones and the artifact bucket replicate to the DR Region (profiles with crossRegionReplication).
    const replication: ReplicationOptions | undefined = environment.drRegion ? { destinationRegion: environment.drRegion } : undefined;
    if (!replication && environment.profile.crossRegionReplication) {
      Annotations.of(this).addWarningV2('mlops:noDrRegion', `Profile ${environment.profile.name} replicates across Regions but environment ${environment.name} sets no drRegion: its data is not replicated.`);
    }
    this.lakehouse = new DataLakehouse(this.dataStack, 'Lakehouse', {
      ...definition.lakehouse,
      replication: replication ?? definition.lakehouse?.replication,
      manageCatalogEncryption: false,
      lakeFormation: { ...lakeFormation, manageSettings: false },
    });
    const pipelines = new Map<string, EtlPipeline>();
    let pipelineAlerts: sns.ITopic | undefined;
    for (const { id: pipelineId, ...options } of definition.pipelines ?? []) {
      const pipeline = new EtlPipeline(this.dataStack, pipelineId, { ...options, lakehouse: this.lakehouse, alertTopic: pipelineAlerts });
      pipelineAlerts ??= pipeline.alertTopic;
      pipelines.set(pipelineId, pipeline);
    }
    this.pipelines = pipelines;

    // ML: registry, network and promotions once; retraining workflows in groups.
    const mlStacks = Array.from({ length: shards }, (_, k) => k === 0
      ? stack('Ml', names.ml(0), 'model registry, promotion and retraining')
      : stack(`Ml${k + 1}`, names.ml(k), `retraining (models ${k * perStack + 1}-${Math.min(models.length, (k + 1) * perStack)})`));
    this.mlStacks = mlStacks;
    this.mlStack = mlStacks[0];
    // Accounts are boundaries: what crosses them (roles, registry policies, stack outputs) follows
    // from every environment's account and the fixed role names, so either side can deploy first.
    const targets = environment.promotesTo ?? [{ environment: environment.name }];
    const servedFrom = props.servedFrom ?? environment.name;
    const crossAccount = crossAccountPlan(this, {
      project: definition.project, environments: props.environments, me: environment.name, servedFrom,
      targets: targets.map((t) => t.environment), models: models.map((m) => m.name),
      stackNames: (env) => stackNames(definition.project, env).ml(0),
      qualifier: bootstrapQualifier(this),
    });
    this.registry = new ModelRegistry(this.mlStack, 'Registry', {
      models: models.map((m) => ({ name: m.name, description: m.description })),
      replication,
      crossAccountReaders: crossAccount.registryReaders.length > 0 ? crossAccount.registryReaders : undefined,
    });
    if (replication) {
      const dr = disasterRecoveryStack(this, definition.project, environment, replication, [...this.lakehouse.replicationPurposes, ...this.registry.replicationPurposes]);
      this.drStack = dr.stack;
      this.replicationDestinations = dr.destinations;
      // PutBucketReplication refuses a destination that does not exist yet (or is not versioned).
      this.dataStack.addStackDependency(dr.stack, 'the zone buckets replicate into the DR stack\'s buckets');
      this.mlStack.addStackDependency(dr.stack, 'the artifact bucket replicates into the DR stack\'s bucket');
    }
    addRegistryReaderRole(this.mlStack, crossAccount, definition.project, environment.name);
    const removalPolicy = resolveRemovalPolicy(this.mlStack);
    const key = createKey(this.mlStack, 'Key', { description: `Platform network logs and notifications (${environment.name})`, removalPolicy });
    // The profile decides where SageMaker runs (issue 18): in the VPC with every interface endpoint jobs and
    // endpoints need ('vpc'), or jobs on SageMaker's own network ('managed', dev), when the VPC keeps only
    // the endpoints an instance-based endpoint needs, and none when every endpoint is serverless
    // (serverless endpoints take no VPC). The VPC itself, its S3 gateway endpoint and flow logs cost nothing at rest.
    const network = sagemakerNetworkOf(environment.profile);
    const servings = new Map(models.map((model) => [model.name, effectiveServing(model, environment.profile.defaultServerless)]));
    // Serverless endpoints take neither a VPC nor data capture (SageMaker supports neither for them).
    const serverless = new Set(models.filter((model) => isServerless(servings.get(model.name)!)).map((model) => model.name));
    const instanceServed = serverless.size < models.length;
    this.interfaceEndpoints = environment.network ? [] : (network === 'vpc' ? SAGEMAKER_INTERFACE_ENDPOINTS : (instanceServed ? SAGEMAKER_HOSTING_INTERFACE_ENDPOINTS : []))
      .map(([name]) => name);
    this.vpc = environment.network
      ? importNetwork(this.mlStack, environment.network)
      : createIsolatedVpc(new Construct(this.mlStack, 'Network'), {
        purpose: 'platform', cidr: PLATFORM_DEFAULTS.vpcCidr, maxAzs: PLATFORM_DEFAULTS.maxAzs,
        endpoints: SAGEMAKER_INTERFACE_ENDPOINTS.filter(([name]) => this.interfaceEndpoints.includes(name)), key, removalPolicy,
      }).vpc;
    const trainingAlerts = createAlertTopic(this.mlStack, 'TrainingAlerts', key, `${definition.project} ${environment.name} retraining failures`);
    const approvals = createAlertTopic(this.mlStack, 'Approvals', key, `${definition.project} ${environment.name} promotion approvals`);
    for (const email of environment.approverEmails ?? []) approvals.addSubscription(new subscriptions.EmailSubscription(email));

    // Serving stacks exist before the promotions that update them, so that a promotion's grant can be
    // derived from their parameters; their content comes below.
    const servingStacks = Array.from({ length: shards }, (_, k) =>
      stack(k === 0 ? 'Serving' : `Serving${k + 1}`, names.serving(k), 'model serving'));
    this.servingStacks = servingStacks;
    // Day 0: the parameter each endpoint reads exists before its serving stack deploys (created only if
    // absent, never reset by an update), holding "none" until the first approval.
    servingStacks.forEach((s, k) => s.addStackDependency(mlStacks[k], 'the ML stack creates the approved-version parameters the serving stack reads'));
    const targetStacks = (env: EnvironmentName): readonly Stack[] | undefined =>
      (env === environment.name ? servingStacks : props.promotionTargets?.get(env));

    addPromotionTargetRole(this.mlStack, crossAccount, {
      project: definition.project, environment: environment.name, models: models.map((m) => m.name), servingStacks,
    });
    // Roles of target accounts are imported once, by their fixed ARN.
    const targetRoles = new Map<EnvironmentName, iam.IRole>();
    const targetRole = (env: EnvironmentName): iam.IRole | undefined => {
      const remote = crossAccount.targets.get(env);
      if (!remote) return undefined;
      if (!targetRoles.has(env)) targetRoles.set(env, iam.Role.fromRoleArn(this.mlStack, `PromotionTargetRole${modelConstructId(env)}`, remote.roleArn, { mutable: false }));
      return targetRoles.get(env);
    };
    const trainings = new Map<string, TrainingCluster>();
    const promotions = new Map<string, PromotionWorkflow>();
    models.forEach((model, i) => {
      const shard = Math.floor(i / perStack);
      trainings.set(model.name, this.training(mlStacks[shard], model, trainingAlerts, network));
      new ApprovedVersionParameter(mlStacks[shard], `${modelConstructId(model.name)}ApprovedVersion`, { model: model.name });
      if (targets.length > 0) {
        promotions.set(model.name, new PromotionWorkflow(this.mlStack, `${modelConstructId(model.name)}Promotion`, {
          registry: this.registry,
          model: model.name,
          stages: targets.map((t, j) => ({
            name: t.environment,
            stackName: stackNames(definition.project, t.environment).serving(shard),
            servingStack: targetStacks(t.environment)?.[shard],
            requireApproval: t.requireApproval ?? j > 0,
            account: crossAccount.targets.get(t.environment)?.account,
            role: targetRole(t.environment),
          })),
          roleName: crossAccount.workflowRoleName(model.name),
          topic: approvals,
          encryptionKey: key,
        }));
      }
    });
    this.trainings = trainings;
    this.promotions = promotions;

    // Serving: each endpoint serves the version its environment's promotions approved.
    const sources = new Map<Stack, IModelRegistry>();
    const sourceFor = (s: Stack): IModelRegistry => {
      if (servedFrom === environment.name) return this.registry;
      let imported = sources.get(s);
      if (!imported) {
        const release = crossAccount.release;
        imported = ModelRegistry.fromEnvironment(s, 'ReleaseRegistry', {
          environment: servedFrom, models: models.map((m) => m.name),
          // Another account's registry: its stack's outputs through its reader role, at deploy time.
          stackOutputs: release && { stackName: release.registryStackName, roleArn: release.readerRoleArn, region: release.region },
        });
        sources.set(s, imported);
      }
      return imported;
    };
    const endpoints = new Map<string, InferenceEndpoint>();
    models.forEach((model, i) => {
      const s = servingStacks[Math.floor(i / perStack)];
      const { captureSamplingPercentage, ...serving } = servings.get(model.name)!;
      // Serverless endpoints take neither a VPC nor data capture (SageMaker supports neither for
      // them), so the platform adds both only to instance-based endpoints; a serverless model has no drift job.
      const instanceBased = !serverless.has(model.name);
      endpoints.set(model.name, new InferenceEndpoint(s, modelConstructId(model.name), {
        ...serving,
        model: ModelSource.fromRegistry(sourceFor(s), model.name),
        dataCapture: instanceBased ? { lakehouse: this.lakehouse, samplingPercentage: captureSamplingPercentage ?? PLATFORM_DEFAULTS.captureSamplingPercentage } : undefined,
        vpc: instanceBased ? this.vpc : undefined,
      }));
    });
    this.endpoints = endpoints;

    // Monitoring: drift in this environment retrains here only when this environment's registry feeds its endpoints.
    // The first stack also watches the data, training and the registry; past
    // `endpointsPerMonitoringStack` endpoints, more stacks (own dashboard and topic) watch the rest.
    const perMonitoring = environment.endpointsPerMonitoringStack ?? PLATFORM_DEFAULTS.endpointsPerMonitoringStack;
    const retrains = servedFrom === environment.name;
    const monitoringStacks: MonitoringStack[] = [];
    for (let k = 0; k < Math.ceil(models.length / perMonitoring); k++) {
      const group = models.slice(k * perMonitoring, (k + 1) * perMonitoring);
      const first = k === 0;
      const stackName = names.monitoring(k);
      // The drift job reads the served version's baseline from the registry that feeds the endpoints:
      // this environment's, or the releasing environment's as the serving stack imports it (SSM, no cross-stage reference).
      const m = new MonitoringStack(this, first ? 'Monitoring' : `Monitoring${k + 1}`, {
        stackName,
        description: `MLOps platform (${environment.name}): ${first ? 'dashboard, alarms, drift and model quality' : `alarms, drift and model quality (endpoints ${k * perMonitoring + 1}-${k * perMonitoring + group.length})`}`,
        terminationProtection: environment.profile.deletionProtection,
        suppressTemplateIndentation: true,
        lakehouse: this.lakehouse,
        pipelines: first ? [...pipelines.values()] : [],
        trainingClusters: first ? [...trainings.values()] : [],
        registries: first ? [this.registry] : [],
        endpoints: group.map((model) => ({
          endpoint: endpoints.get(model.name)!,
          registry: sourceFor(servingStacks[Math.floor(models.indexOf(model) / perStack)]),
          model: model.name,
          drift: serverless.has(model.name) ? false : platformDriftOptions(model),
          // Drift (or opt-in Model Monitor) starts retraining; a serverless model captures nothing to drift on.
          retrain: retrains && ((!serverless.has(model.name) && model.monitoring?.drift !== false) || model.monitoring?.modelMonitor)
            ? trainings.get(model.name) : undefined,
        })),
        thresholds: environment.alarmThresholds,
        alarmEmails: environment.alarmEmails,
      });
      enforceResourceLimit(m, `lower endpointsPerMonitoringStack (now ${perMonitoring})`);
      monitoringStacks.push(m);
    }
    this.monitoringStacks = monitoringStacks;
    nameConsumerRoles(crossAccount, endpoints, monitoringStacks);
    this.monitoringStack = monitoringStacks[0];

    // Opt-in SageMaker Model Monitor (closed to new customers): a stack of its own, deployed after the
    // monitoring stacks, so that a refusal rolls back only this stack, never the dashboard and alarms.
    const optedIn = models.filter((model) => model.monitoring?.modelMonitor !== undefined);
    if (optedIn.length > 0) {
      const mm = stack('ModelMonitor', names.modelMonitor, 'SageMaker Model Monitor schedules (opt-in engine)');
      const monitors = new Map<string, ModelMonitor>();
      for (const model of optedIn) {
        const watching = monitoringStacks[Math.floor(models.indexOf(model) / perMonitoring)];
        mm.addStackDependency(watching, 'Model Monitor alarms notify the monitoring stack\'s alarm topic');
        const monitor = new ModelMonitor(mm, `${modelConstructId(model.name)}ModelMonitor`, {
          ...model.monitoring!.modelMonitor!, endpoint: endpoints.get(model.name)!, lakehouse: this.lakehouse,
        });
        const action = new cw_actions.SnsAction(watching.alarmTopic);
        for (const alarm of [monitor.driftAlarm, monitor.qualityAlarm]) (alarm as cloudwatch.Alarm | undefined)?.addAlarmAction(action);
        if (retrains) {
          const training = trainings.get(model.name)!;
          training.retrainOn(`RetrainOn${modelConstructId(model.name)}ModelMonitorDrift`, RetrainTrigger.onAlarmName(monitor.driftAlarmName));
          if (monitor.qualityAlarmName) training.retrainOn(`RetrainOn${modelConstructId(model.name)}ModelMonitorQuality`, RetrainTrigger.onAlarmName(monitor.qualityAlarmName));
        }
        monitors.set(model.name, monitor);
      }
      this.modelMonitorStack = mm;
      this.modelMonitors = monitors;
    } else {
      this.modelMonitors = new Map();
    }
    warnCostlyDevDefaults(this, environment.profile);
  }

  private training(scope: Stack, model: PlatformModel, alertTopic: sns.ITopic, jobNetwork: SageMakerNetwork): TrainingCluster {
    return new TrainingCluster(scope, `${modelConstructId(model.name)}Training`, {
      lakehouse: this.lakehouse,
      registry: this.registry,
      model: model.name,
      vpc: this.vpc,
      jobNetwork,
      schedule: model.training.schedule,
      triggers: (model.training.retrainAfter ?? []).map((p) => RetrainTrigger.onEtlSuccess(this.pipelines.get(p)!)),
      managed: model.training.managed,
      alertTopic,
    });
  }
}

/** Imports the configured VPC in the ML stack, without lookups. */
function importNetwork(scope: Construct, n: NonNullable<PlatformStageProps['environment']['network']>): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(scope, 'Network', {
    vpcId: n.vpcId,
    vpcCidrBlock: n.vpcCidrBlock,
    availabilityZones: n.availabilityZones,
    privateSubnetIds: n.subnetIds,
    privateSubnetRouteTableIds: n.routeTableIds,
  });
}

/**
 * A model's serving with the profile's default applied: a model that chooses no variants gets the
 * profile's serverless variant, if it has one (dev); a model's own variants always win.
 */
function effectiveServing(model: PlatformModel, defaultServerless: ServerlessCapacity | undefined): PlatformServing {
  const serving = model.serving ?? {};
  if (!defaultServerless || serving.variants !== undefined || serving.shadowVariant !== undefined) return serving;
  return { ...serving, variants: [{ serverless: { memorySizeMiB: defaultServerless.memorySizeMiB, maxConcurrency: defaultServerless.maxConcurrency } }] };
}

/** Whether a serving is by a serverless variant (SageMaker allows no other variant beside it). */
function isServerless(serving: PlatformServing): boolean {
  return [...(serving.variants ?? []), ...(serving.shadowVariant ? [serving.shadowVariant] : [])].some((v) => v?.serverless !== undefined);
}

/**
 * The `<project>-<env>-dr` stack in the DR Region: the replication destinations of the given
 * purposes and their latency alarms, on an alarm topic of that Region, so that it still notifies
 * when the source Region is down (S3 publishes the latency metric where the destination is).
 */
function disasterRecoveryStack(stage: Stage, project: string, environment: PlatformEnvironment, replication: ReplicationOptions,
  purposes: string[]): { stack: Stack; destinations: ReplicationDestinations } {
  const stack = new Stack(stage, 'Dr', {
    stackName: `${project}-${environment.name}-dr`,
    description: `MLOps platform (${environment.name}): disaster-recovery replicas in ${replication.destinationRegion}`,
    env: { account: environment.account, region: replication.destinationRegion },
    terminationProtection: environment.profile.deletionProtection,
    suppressTemplateIndentation: true,
  });
  const alarmKey = createKey(stack, 'AlarmKey', { description: `DR replication alarms (${environment.name})`, removalPolicy: resolveRemovalPolicy(stack) });
  allowCloudWatchAlarmsToUseKey(alarmKey);
  const topic = createAlertTopic(stack, 'AlarmTopic', alarmKey, `${project} ${environment.name} DR replication alarms`);
  for (const email of environment.alarmEmails ?? []) topic.addSubscription(new subscriptions.EmailSubscription(email));
  const destinations = new ReplicationDestinations(stack, 'Replicas', { purposes, removalPolicy: resolveRemovalPolicy(stack), alarmTopic: topic });
  return { stack, destinations };
}
