import { Duration, Names } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as eks from 'aws-cdk-lib/aws-eks-v2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct, IConstruct } from 'constructs';
import { createAlertTopic } from '../core/alerts';
import { deliverReliably } from '../core/event-delivery';
import { FAILED_EXECUTION_STATUSES, executionAlertTarget, executionStatusRule } from '../core/executions';
import { Validator } from '../core/errors';
import { resolveRemovalPolicy } from '../core/removal';
import { ClusterParameterNames } from './cluster-options';
import { ClusterEngine } from './private/cluster-engine';
import { ManagedEngine } from './private/managed-engine';
import { TrainingNetwork } from './private/network';
import { validateAvailabilityZones } from '../core/network';
import { validateTrainingProps } from './private/validate';
import { validateClusterOptions } from './private/validate-cluster';
import { RetrainTrigger } from './retrain-trigger';
import { TRAINING_DEFAULTS, TrainingClusterProps, TrainingEngine } from './training-cluster-props';

/** A training cluster as monitoring and the platform see it. */
export interface ITrainingCluster extends IConstruct {
  /** The engine training runs on. */
  readonly engine: TrainingEngine;
  /** The VPC jobs or nodes run in. */
  readonly vpc: ec2.IVpc;
  /** The retraining workflow (managed engine). */
  readonly stateMachine?: sfn.IStateMachine;
  /** Topic that receives failure alerts. */
  readonly alertTopic: sns.ITopic;
  /**
   * The model's features in input order (managed engine): the endpoint takes CSV rows of these
   * values, in this order, without the label; drift checks watch them.
   */
  readonly featureNames?: readonly string[];
  /** The label column (managed engine). */
  readonly labelName?: string;
  /** The sample id column (managed engine). */
  readonly sampleIdName?: string;
  /** Starts a retraining run whenever the trigger fires (managed engine). */
  retrainOn(id: string, trigger: RetrainTrigger): events.Rule;
  /** Failed retraining runs, including models below the threshold (AWS/States ExecutionsFailed; Sum over 5 minutes). */
  metricRunsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Successful retraining runs, each registering a model version (AWS/States ExecutionsSucceeded; Sum over 5 minutes). */
  metricRunsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
  /** Duration of retraining runs in milliseconds (AWS/States ExecutionTime; Average over 5 minutes). */
  metricRunTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric;
}

/**
 * Training that runs again by itself: a managed retraining workflow (prepare -> train -> evaluate ->
 * register when the metric passes) started by a schedule, new curated data or a drift alarm; or an
 * EKS cluster with GPU node groups that scale to zero for teams that bring their own trainers.
 */
export class TrainingCluster extends Construct implements ITrainingCluster {
  public readonly engine: TrainingEngine;
  public readonly vpc: ec2.IVpc;
  public readonly stateMachine?: sfn.StateMachine;
  public readonly alertTopic: sns.ITopic;
  /** The security group of training and processing jobs. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** The role SageMaker jobs run as (managed engine). */
  public readonly jobRole?: iam.IRole;
  public readonly featureNames?: readonly string[];
  public readonly labelName?: string;
  public readonly sampleIdName?: string;
  /** The EKS cluster (cluster engine). */
  public readonly eksCluster?: eks.ICluster;
  /**
   * The role of the cluster's nodes (cluster engine): the kubelet pulls images with it. It has
   * AmazonEC2ContainerRegistryPullOnly (pulls from every repository of the account, so images
   * mirrored into the account's ECR need no grant), and the `cluster.pullThroughCache`'s
   * `grantPullThrough` when one is given. A repository of another account must allow it in its
   * repository policy.
   */
  public readonly nodeRole?: iam.IRole;
  /** One Pod Identity role per team, by team name (cluster engine). */
  public readonly teamRoles?: Readonly<Record<string, iam.IRole>>;
  /** Names of the SSM parameters the Kubernetes layer reads (cluster engine). */
  public readonly clusterParameters?: ClusterParameterNames;
  /**
   * The security group that reaches the cluster's private API endpoint on 443 and the cluster's
   * VPC endpoints (cluster engine): attach it to what applies the Kubernetes layer from inside the
   * VPC (a Terraform runner, a CodeBuild project). The kubectl provider runs in it. Its ID is also
   * published to SSM under `clusterParameters.deployerSecurityGroupId`.
   */
  public readonly deployerSecurityGroup?: ec2.ISecurityGroup;

  constructor(scope: Construct, id: string, props: TrainingClusterProps) {
    super(scope, id);
    const v = new Validator(this);
    validateTrainingProps(v, this, props);
    validateAvailabilityZones(v, props.availabilityZones, 'availabilityZones');
    v.check(props.availabilityZones === undefined || props.vpc === undefined, 'availabilityZones', props.availabilityZones,
      'must not be set with vpc (they are the zones of the VPC the cluster creates)');
    if ((props.engine ?? TRAINING_DEFAULTS.engine) === TrainingEngine.CLUSTER && props.cluster) {
      validateClusterOptions(v, props.cluster, 'cluster', { lakehouse: props.lakehouse, vpc: props.vpc });
    }
    v.throwIfAny();

    this.engine = props.engine ?? TRAINING_DEFAULTS.engine;
    const removalPolicy = resolveRemovalPolicy(this);
    const network = new TrainingNetwork(this, 'Network', {
      vpc: props.vpc,
      maxAzs: TRAINING_DEFAULTS.maxAzs,
      availabilityZones: props.availabilityZones,
      key: props.lakehouse.encryptionKey,
      removalPolicy,
    });
    this.vpc = network.vpc;
    this.securityGroup = network.securityGroup;
    this.alertTopic = props.alertTopic ?? createAlertTopic(this, 'Alerts', props.registry.encryptionKey, `Training alerts ${this.node.path}`);

    if (this.engine === TrainingEngine.MANAGED) {
      const managed = new ManagedEngine(this, 'Workflow', {
        lakehouse: props.lakehouse,
        registry: props.registry,
        model: props.model,
        network,
        options: props.managed!,
        removalPolicy,
        jobNetwork: props.jobNetwork ?? TRAINING_DEFAULTS.jobNetwork,
        alertTopic: this.alertTopic,
      });
      this.stateMachine = managed.stateMachine;
      this.jobRole = managed.jobRole;
      this.featureNames = Object.freeze([...props.managed!.features]);
      this.labelName = props.managed!.label;
      this.sampleIdName = props.managed!.sampleId ?? TRAINING_DEFAULTS.sampleId;
      this.onRunFailed('AlertOnFailure', {
        description: `Alerts when retraining of ${props.model} fails, times out, is aborted or misses its threshold`,
        target: executionAlertTarget(this.alertTopic, { training: this.node.path, model: props.model }),
      });
      if (props.schedule) {
        new events.Rule(this, 'Schedule', {
          description: `Retrains ${props.model} on ${props.schedule}`,
          schedule: events.Schedule.expression(props.schedule),
          targets: [deliverReliably(new targets.SfnStateMachine(this.stateMachine, { input: events.RuleTargetInput.fromObject({ trigger: 'schedule' }) }), { alarmTopic: this.alertTopic })],
        });
      }
      for (const [i, trigger] of (props.triggers ?? []).entries()) this.retrainOn(`Trigger${i}`, trigger);
    } else {
      const engine = new ClusterEngine(this, 'Cluster', {
        lakehouse: props.lakehouse,
        artifactBucket: props.registry.artifactBucket,
        artifactKey: props.registry.encryptionKey,
        vpc: network.vpc,
        vpcIsOwned: network.vpcIsOwned,
        removalPolicy,
        options: props.cluster!,
      });
      this.eksCluster = engine.cluster;
      this.teamRoles = engine.teamRoles;
      this.nodeRole = engine.nodeRole;
      this.clusterParameters = engine.parameterNames;
      this.deployerSecurityGroup = engine.deployerSecurityGroup;
    }
  }

  public retrainOn(id: string, trigger: RetrainTrigger): events.Rule {
    const sm = this.requireWorkflow(`retrainOn(${id})`);
    const config = trigger.bind();
    return new events.Rule(this, `RetrainOn${id}`, {
      description: config.description,
      eventPattern: config.eventPattern,
      targets: [deliverReliably(new targets.SfnStateMachine(sm, {
        input: events.RuleTargetInput.fromObject({ trigger: config.kind, event: events.EventField.fromPath('$') }),
      }), { alarmTopic: this.alertTopic })],
    });
  }

  /** An EventBridge rule matching failed, timed-out or aborted retraining runs. */
  public onRunFailed(id: string, options: events.OnEventOptions = {}): events.Rule {
    return executionStatusRule(this, id, this.requireWorkflow(id), FAILED_EXECUTION_STATUSES, options);
  }

  /** An EventBridge rule matching successful retraining runs (a new version was registered). */
  public onRunSucceeded(id: string, options: events.OnEventOptions = {}): events.Rule {
    return executionStatusRule(this, id, this.requireWorkflow(id), ['SUCCEEDED'], options);
  }

  public metricRunsFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireWorkflow('metricRunsFailed').metricFailed({ statistic: 'Sum', period: Duration.minutes(5), ...props });
  }

  public metricRunsSucceeded(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireWorkflow('metricRunsSucceeded').metricSucceeded({ statistic: 'Sum', period: Duration.minutes(5), ...props });
  }

  public metricRunTime(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.requireWorkflow('metricRunTime').metricTime({ statistic: 'Average', period: Duration.minutes(5), ...props });
  }

  private requireWorkflow(what: string): sfn.StateMachine {
    if (!this.stateMachine) {
      const v = new Validator(this);
      v.fail(what, 'called', `needs the managed engine; ${Names.uniqueId(this)} uses the ${this.engine} engine`);
      v.throwIfAny();
    }
    return this.stateMachine!;
  }
}
