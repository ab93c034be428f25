import { Annotations, CfnCondition, CfnParameter, CfnResource, Fn, ICfnConditionExpression, RemovalPolicy } from 'aws-cdk-lib';
import * as appscaling from 'aws-cdk-lib/aws-applicationautoscaling';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, IConstruct } from 'constructs';
import { createKey } from '../core/encryption';
import { Platform } from '../core/environment';
import { Validator } from '../core/errors';
import { dashedName } from '../core/naming';
import { resolveRemovalPolicy } from '../core/removal';
import { ImportedInferenceEndpoint, InferenceEndpointAttributes, InferenceEndpointBase, endpointArnOf } from './inference-endpoint-base';
import { APPROVED_VERSION_PLACEHOLDER } from './approved-version-parameter';
import { DeploymentStrategy, defaultDeployment } from './deployment';
import { INFERENCE_DEFAULTS, InferenceEndpointProps, VariantOptions, profileDefaults } from './inference-endpoint-props';
import { RollbackAlarms } from './private/alarms';
import { grantModelRole } from './private/grants';
import { InferenceNetwork } from './private/network';
import { smallestFleet, validateEndpointProps } from './private/validate';

/** Request content types data capture stores as CSV text (the models' declared input format is CSV rows of their features). */
export const CAPTURE_CSV_CONTENT_TYPES: readonly string[] = ['text/csv'];
/** Request content types data capture stores as JSON text. */
export const CAPTURE_JSON_CONTENT_TYPES: readonly string[] = ['application/json'];

/** Metric options with the variant they are about. */
export interface EndpointMetricOptions extends cloudwatch.MetricOptions {
  /**
   * The variant (SageMaker publishes endpoint metrics per variant).
   * @default the first production variant
   */
  readonly variantName?: string;
}

/** An inference endpoint as monitoring and clients see it. */
export interface IInferenceEndpoint extends IConstruct {
  /** Name of the endpoint. */
  readonly endpointName: string;
  /** ARN of the endpoint. */
  readonly endpointArn: string;
  /** Names of the production variants, then the shadow variant if any. */
  readonly variantNames: readonly string[];
  /** `s3://` prefix under which SageMaker writes captured data for this endpoint, when capture is on. */
  readonly dataCaptureLocation?: string;
  /**
   * vCPUs of one instance of each instance-based variant, by variant name (CPUUtilization reaches 100 x vCPUs).
   * @default unknown (monitoring then treats an instance as one vCPU)
   */
  readonly variantVcpus?: Readonly<Record<string, number>>;
  /**
   * Name of the shadow variant (the last of `variantNames`), which receives a copy of production
   * traffic and whose responses are not returned to callers.
   * @default no shadow variant
   */
  readonly shadowVariantName?: string;
  /**
   * Names of the variants served by SageMaker serverless inference. They publish no instance metrics
   * (CPU, disk, GPU) and no model-error count, but a concurrency utilization.
   * @default none (every variant runs on instances)
   */
  readonly serverlessVariantNames?: readonly string[];
  /** Requests (AWS/SageMaker Invocations; Sum over 1 minute). */
  metricInvocations(props?: EndpointMetricOptions): cloudwatch.Metric;
  /** Model latency in microseconds (AWS/SageMaker ModelLatency; p99 over 1 minute unless `statistic` says otherwise). */
  metricLatency(props?: EndpointMetricOptions): cloudwatch.Metric;
  /** Server errors (AWS/SageMaker Invocation5XXErrors; Sum over 1 minute). */
  metric5xx(props?: EndpointMetricOptions): cloudwatch.Metric;
  /** Client errors (AWS/SageMaker Invocation4XXErrors; Sum over 1 minute). */
  metric4xx(props?: EndpointMetricOptions): cloudwatch.Metric;
  /** Errors raised by the model container (AWS/SageMaker InvocationModelErrors; Sum over 1 minute). */
  metricModelErrors(props?: EndpointMetricOptions): cloudwatch.Metric;
  /** CPU utilization of the instances, percent of one core times cores (/aws/sagemaker/Endpoints CPUUtilization; Average over 5 minutes). */
  metricCpuUtilization(props?: EndpointMetricOptions): cloudwatch.Metric;
  /** Memory utilization of the instances (/aws/sagemaker/Endpoints MemoryUtilization; Average over 5 minutes). */
  metricMemoryUtilization(props?: EndpointMetricOptions): cloudwatch.Metric;
  /** GPU utilization of the instances (/aws/sagemaker/Endpoints GPUUtilization; Average over 5 minutes). */
  metricGpuUtilization(props?: EndpointMetricOptions): cloudwatch.Metric;
  /** Disk utilization of the instances (/aws/sagemaker/Endpoints DiskUtilization; Average over 5 minutes). */
  metricDiskUtilization(props?: EndpointMetricOptions): cloudwatch.Metric;
  /**
   * Concurrent executions of a serverless variant divided by its maximum concurrency, 0 to 1
   * (AWS/SageMaker ServerlessConcurrentExecutionsUtilization; Maximum over 1 minute). Serverless variants only.
   */
  metricServerlessConcurrencyUtilization(props?: EndpointMetricOptions): cloudwatch.Metric;
  /** Lets the grantee invoke the endpoint (real-time, async and streaming), nothing else. */
  grantInvoke(grantee: iam.IGrantable): iam.Grant;
}

/**
 * A SageMaker real-time, serverless or asynchronous inference endpoint that serves a registered
 * model version resolved at deploy time, with production variants (A/B), an optional shadow
 * variant, autoscaling, data capture to the lakehouse, VPC placement, network isolation, KMS, and
 * a guarded rollout (blue/green canary, linear or all at once, or rolling) that rolls back on the
 * alarms it creates plus any passed in.
 *
 * Models and endpoint configs have generated names, so every change creates the new ones before
 * the old ones are deleted; the endpoint itself is updated in place under the deployment policy.
 *
 * @example
 * // given: stack: Stack; registry: IModelRegistry; lakehouse: IDataLakehouse
 * new InferenceEndpoint(stack, 'Churn', {
 *   model: ModelSource.fromRegistry(registry, 'churn'),
 *   dataCapture: { lakehouse, samplingPercentage: 20 },
 * });
 */
export class InferenceEndpoint extends InferenceEndpointBase {
  /**
   * An endpoint of this account and region by name, with the default variant name ('AllTraffic'):
   * enough for metrics, alarms, dashboards and `grantInvoke` in a second app.
   *
   * @example
   * // given: stack: Stack
   * const churn = InferenceEndpoint.fromEndpointName(stack, 'Churn', 'acme-prod-churn');
   * churn.metricLatency();
   */
  public static fromEndpointName(scope: Construct, id: string, endpointName: string): IInferenceEndpoint {
    return new ImportedInferenceEndpoint(scope, id, { endpointName });
  }

  /**
   * An endpoint of this account and region by attributes: give its variant names when they are
   * not the default, and its data capture location for drift or model-quality monitoring.
   *
   * @example
   * // given: stack: Stack
   * const churn = InferenceEndpoint.fromEndpointAttributes(stack, 'Churn', {
   *   endpointName: 'acme-prod-churn',
   *   variantNames: ['Blue', 'Green'],
   *   dataCaptureLocation: 's3://acme-raw/data-capture/acme-prod-churn/',
   * });
   */
  public static fromEndpointAttributes(scope: Construct, id: string, attrs: InferenceEndpointAttributes): IInferenceEndpoint {
    return new ImportedInferenceEndpoint(scope, id, attrs);
  }

  public readonly endpointName: string;
  public readonly endpointArn: string;
  public readonly variantNames: readonly string[];
  public readonly dataCaptureLocation?: string;
  public readonly variantVcpus: Readonly<Record<string, number>>;
  public readonly shadowVariantName?: string;
  public readonly serverlessVariantNames: readonly string[];
  /** Key for volumes, flow logs, notifications and async results (undefined for serverless endpoints, which use none). */
  public readonly encryptionKey?: kms.IKey;
  /** Execution role of the models. */
  public readonly role: iam.IRole;
  /** Every alarm the deployment rolls back on: the three the endpoint creates, then those passed in (none for serverless endpoints). */
  public readonly rollbackAlarms: readonly cloudwatch.IAlarm[];
  /** The deployment strategy in effect (undefined for serverless endpoints, which SageMaker updates all at once). */
  public readonly deployment?: DeploymentStrategy;
  /** Topic for successful async results, when async inference is on. */
  public readonly asyncSuccessTopic?: sns.ITopic;
  /** Topic for failed async requests, when async inference is on. */
  public readonly asyncErrorTopic?: sns.ITopic;
  /** The removal policy applied to the key this construct creates. */
  public readonly removalPolicy: RemovalPolicy;
  /**
   * The condition "a version is approved": every SSM-resolved version the variants serve differs
   * from {@link APPROVED_VERSION_PLACEHOLDER}. The models, endpoint config, endpoint and scaling
   * exist only while it holds; undefined when every variant serves a fixed image.
   */
  public readonly versionApproved?: CfnCondition;

  constructor(scope: Construct, id: string, props: InferenceEndpointProps) {
    super(scope, id);
    const profile = Platform.of(this).profile;
    const v = new Validator(this);
    validateEndpointProps(v, props, profile.name);
    v.throwIfAny();

    const variants: VariantOptions[] = props.variants ?? [{}];
    const shadow = props.shadowVariant;
    const all = shadow ? [...variants, shadow] : variants;
    const serverless = all.some((x) => x.serverless);
    const row = profileDefaults(profile.name);
    this.variantNames = all.map((x) => x.name ?? INFERENCE_DEFAULTS.variantName);
    const vcpus: Record<string, number> = {};
    all.forEach((x, i) => {
      const n = x.serverless ? undefined : (x.instanceType ?? INFERENCE_DEFAULTS.instanceType).vcpus;
      if (n !== undefined) vcpus[this.variantNames[i]] = n;
    });
    this.variantVcpus = vcpus;
    this.shadowVariantName = shadow ? this.variantNames[variants.length] : undefined;
    this.serverlessVariantNames = this.variantNames.filter((_, i) => all[i].serverless !== undefined);
    this.removalPolicy = resolveRemovalPolicy(this, props.removalPolicy, profile);
    // A serverless endpoint has nothing to encrypt with a key of its own (no volume key, VPC or async output).
    const key = serverless ? undefined : props.encryptionKey ?? createKey(this, 'Key', {
      description: `Inference endpoint ${this.node.path}: volumes, notifications and async results`,
      removalPolicy: this.removalPolicy,
    });
    this.encryptionKey = key;
    this.endpointName = props.endpointName ?? dashedName(this, 63, id);

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sagemaker.amazonaws.com'),
      description: `Execution role of the models behind ${this.node.path}`,
    });
    this.role = role;
    const network = key && new InferenceNetwork(this, 'Network', {
      vpc: props.vpc, subnets: props.subnets, securityGroups: props.securityGroups, availabilityZones: props.availabilityZones, key, removalPolicy: this.removalPolicy,
    });

    const capture = props.dataCapture;
    let captureConfig: sagemaker.CfnEndpointConfig.DataCaptureConfigProperty | undefined;
    let asyncConfig: sagemaker.CfnEndpointConfig.AsyncInferenceConfigProperty | undefined;
    const grants = grantModelRole(role, { vpc: network !== undefined });
    if (capture) {
      const zone = capture.zone ?? INFERENCE_DEFAULTS.captureZone;
      const bucket = capture.lakehouse.zoneBucket(zone);
      const prefix = capture.prefix ?? INFERENCE_DEFAULTS.capturePrefix;
      grants.writeObjects(bucket, prefix, capture.lakehouse.encryptionKey, 'Data capture writes one object per batch of captured requests under its prefix.');
      captureConfig = {
        enableCapture: true,
        destinationS3Uri: `s3://${bucket.bucketName}/${prefix.replace(/\/$/, '')}`,
        initialSamplingPercentage: capture.samplingPercentage ?? INFERENCE_DEFAULTS.samplingPercentage,
        kmsKeyId: capture.lakehouse.encryptionKey.keyArn,
        captureOptions: [{ captureMode: 'Input' }, { captureMode: 'Output' }],
        // Without content-type headers SageMaker base64-encodes captured payloads; listing them keeps CSV
        // and JSON requests readable as text in the lakehouse (SageMaker API reference, CaptureContentTypeHeader).
        captureContentTypeHeader: { csvContentTypes: [...CAPTURE_CSV_CONTENT_TYPES], jsonContentTypes: [...CAPTURE_JSON_CONTENT_TYPES] },
      };
      this.dataCaptureLocation = `s3://${bucket.bucketName}/${prefix}${this.endpointName}/`;
    }
    const async = props.asyncInference;
    if (async && key) {
      const prefix = `${async.prefix ?? INFERENCE_DEFAULTS.asyncPrefix}${this.endpointName}/`;
      const outputKey = async.bucket.encryptionKey ?? key;
      grants.writeObjects(async.bucket, prefix, outputKey, 'Async inference writes one object per request result or failure under its prefix.');
      const success = new sns.Topic(this, 'AsyncSuccessTopic', { displayName: `Async results of ${this.endpointName}`, masterKey: key, enforceSSL: true });
      const failure = new sns.Topic(this, 'AsyncErrorTopic', { displayName: `Async failures of ${this.endpointName}`, masterKey: key, enforceSSL: true });
      grants.publish([success, failure], key);
      this.asyncSuccessTopic = success;
      this.asyncErrorTopic = failure;
      asyncConfig = {
        outputConfig: {
          s3OutputPath: async.bucket.s3UrlForObject(`${prefix}output`),
          s3FailurePath: async.bucket.s3UrlForObject(`${prefix}failures`),
          kmsKeyId: outputKey.keyArn,
          notificationConfig: { successTopic: success.topicArn, errorTopic: failure.topicArn },
        },
        clientConfig: async.maxConcurrentInvocationsPerInstance === undefined ? undefined
          : { maxConcurrentInvocationsPerInstance: async.maxConcurrentInvocationsPerInstance },
      };
    }

    const needsVersion: CfnResource[] = [];
    const versionParameters: CfnParameter[] = [];
    const models = new Construct(this, 'Models');
    const renderVariant = (x: VariantOptions, name: string): sagemaker.CfnEndpointConfig.ProductionVariantProperty => {
      const bound = (x.model ?? props.model).bind(this, role);
      if (bound.versionParameter && !versionParameters.includes(bound.versionParameter)) versionParameters.push(bound.versionParameter);
      const model = new sagemaker.CfnModel(models, name, {
        executionRoleArn: role.roleArn,
        primaryContainer: bound.container,
        // SageMaker supports neither network isolation nor a VPC for serverless endpoints.
        enableNetworkIsolation: !serverless,
        vpcConfig: network ? { subnets: network.subnetIds, securityGroupIds: network.securityGroupIds } : undefined,
      });
      // SageMaker checks the role's access to the package, image and data when it creates the model.
      model.node.addDependency(role);
      needsVersion.push(model);
      const weight = x.weight ?? INFERENCE_DEFAULTS.weight;
      if (x.serverless) {
        return {
          variantName: name, modelName: model.attrModelName, initialVariantWeight: weight,
          serverlessConfig: { memorySizeInMb: x.serverless.memorySizeMiB, maxConcurrency: x.serverless.maxConcurrency, provisionedConcurrency: x.serverless.provisionedConcurrency },
        };
      }
      return {
        variantName: name, modelName: model.attrModelName, initialVariantWeight: weight,
        instanceType: (x.instanceType ?? INFERENCE_DEFAULTS.instanceType).name,
        initialInstanceCount: x.initialInstanceCount ?? row.initialInstanceCount,
      };
    };
    const production = variants.map((x, i) => renderVariant(x, this.variantNames[i]));
    const shadowRendered = shadow ? [renderVariant(shadow, this.variantNames[variants.length])] : undefined;
    // Serverless endpoints and instance families with local NVMe storage reject KmsKeyId (their storage is encrypted by the hardware).
    const storageKey = all.every((x) => !(x.instanceType ?? INFERENCE_DEFAULTS.instanceType).hasInstanceStorage);

    const config = new sagemaker.CfnEndpointConfig(this, 'EndpointConfig', {
      productionVariants: production,
      shadowProductionVariants: shadowRendered,
      kmsKeyId: storageKey ? key?.keyArn : undefined,
      dataCaptureConfig: captureConfig,
      asyncInferenceConfig: asyncConfig,
    });

    // SageMaker applies deployment guardrails only to real-time and asynchronous endpoints; a
    // serverless endpoint is updated all at once, without rollback alarms.
    const alarms = serverless ? undefined : new RollbackAlarms(this, 'RollbackAlarms', {
      endpoint: this,
      variantNames: this.variantNames.slice(0, variants.length),
      options: props.rollbackAlarms ?? {},
    });
    this.rollbackAlarms = alarms ? [...alarms.alarms, ...(props.additionalRollbackAlarms ?? [])] : [];
    // The default rollout is valid for the smallest fleet (see defaultDeployment); explicit ones were validated against it.
    this.deployment = serverless ? undefined : props.deployment ?? defaultDeployment(smallestFleet(props, profile.name));

    // Promotions must not reset autoscaled capacity: with RetainAllVariantProperties SageMaker keeps
    // each variant's current DesiredInstanceCount across the update, while DesiredWeight, listed in
    // ExcludeRetainedVariantProperties, is overridden by the new config's weights ("DesiredInstanceCount:
    // Overrides the existing variant instance counts using the InitialInstanceCount values";
    // "DesiredWeight: Overrides the existing variant weights using the InitialVariantWeight values",
    // AWS::SageMaker::Endpoint VariantProperty). The instance type is no variant property and always
    // comes from the new config; see VariantOptions.instanceType for changing it on an autoscaled variant.
    const autoscaled = variants.filter((x) => !x.serverless && x.autoScaling !== false);
    const retain = autoscaled.length > 0;
    if (retain && autoscaled.length < variants.length) {
      Annotations.of(this).addWarningV2('mlops:inference:retainedInstanceCount',
        'Instance counts are retained across updates because some variants autoscale; a changed initialInstanceCount of a variant without autoscaling applies only to a new endpoint.');
    }

    const endpoint = new sagemaker.CfnEndpoint(this, 'Resource', {
      endpointName: this.endpointName,
      endpointConfigName: config.attrEndpointConfigName,
      deploymentConfig: this.deployment && {
        ...this.deployment.render(),
        autoRollbackConfiguration: { alarms: this.rollbackAlarms.map((a) => ({ alarmName: a.alarmName })) },
      },
      retainAllVariantProperties: retain ? true : undefined,
      excludeRetainedVariantProperties: retain ? [{ variantPropertyType: 'DesiredWeight' }] : undefined,
    });
    needsVersion.push(config, endpoint);
    // Formatted from the name, never GetAtt: the endpoint may be conditional, and other stacks read
    // this ARN. SageMaker ARNs carry the endpoint name in lowercase.
    this.endpointArn = endpointArnOf(this, this.endpointName);

    variants.forEach((x, i) => {
      if (x.serverless || x.autoScaling === false) return;
      const a = x.autoScaling ?? {};
      const min = a.minCapacity ?? x.initialInstanceCount ?? row.initialInstanceCount;
      const name = this.variantNames[i];
      const target = new appscaling.ScalableTarget(this, `Scaling${name}`, {
        serviceNamespace: appscaling.ServiceNamespace.SAGEMAKER,
        resourceId: `endpoint/${this.endpointName}/variant/${name}`,
        scalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        minCapacity: min,
        maxCapacity: a.maxCapacity ?? Math.max(row.maxCapacity, min),
      });
      target.node.addDependency(endpoint);
      target.scaleToTrackMetric('InvocationsPerInstance', {
        predefinedMetric: appscaling.PredefinedMetric.SAGEMAKER_VARIANT_INVOCATIONS_PER_INSTANCE,
        targetValue: a.targetInvocationsPerInstance ?? INFERENCE_DEFAULTS.targetInvocationsPerInstance,
        scaleInCooldown: a.scaleInCooldown ?? row.scaleInCooldown,
        scaleOutCooldown: a.scaleOutCooldown ?? INFERENCE_DEFAULTS.scaleOutCooldown,
      });
      needsVersion.push(...target.node.findAll().filter((c): c is CfnResource => c instanceof CfnResource));
    });

    // Before the first approval the SSM parameters hold the placeholder: nothing that needs a version
    // is created, and the first approval's stack update creates it through the guarded rollout path.
    // Conditions may compare the resolved value of an AWS::SSM::Parameter::Value<String> parameter:
    // a Ref to such a parameter is its resolved value ("CloudFormation fetches the latest value from
    // Parameter Store to use for the stack", CloudFormation User Guide, Systems Manager parameter types),
    // and Fn::Equals compares two string values (Condition functions reference).
    if (versionParameters.length > 0) {
      const approved = (p: CfnParameter): ICfnConditionExpression => Fn.conditionNot(Fn.conditionEquals(p.valueAsString, APPROVED_VERSION_PLACEHOLDER));
      this.versionApproved = new CfnCondition(this, 'VersionApproved', {
        // Fn::And takes 2 to 10 conditions; an endpoint has at most 10 variants.
        expression: versionParameters.length === 1 ? approved(versionParameters[0]) : Fn.conditionAnd(...versionParameters.map(approved)),
      });
      for (const r of needsVersion) r.cfnOptions.condition = this.versionApproved;
    }
  }
}
