import { ArnFormat, Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Validator } from '../core/errors';
import { grantWithKey } from '../core/grants';
import type { EndpointMetricOptions, IInferenceEndpoint } from './inference-endpoint';
import { INFERENCE_DEFAULTS } from './inference-endpoint-props';
import * as perms from './perms';

/** The ARN of an endpoint of this stack's account and region (SageMaker ARNs carry the name in lower case). */
export function endpointArnOf(scope: Construct, endpointName: string): string {
  return Stack.of(scope).formatArn({
    service: 'sagemaker', resource: 'endpoint', arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    resourceName: Token.isUnresolved(endpointName) ? endpointName : endpointName.toLowerCase(),
  });
}

/** The endpoint's production variants: its variants without the shadow variant, which serves no caller. */
export function productionVariantNames(endpoint: IInferenceEndpoint): string[] {
  return endpoint.variantNames.filter((n) => n !== endpoint.shadowVariantName);
}

/**
 * What every endpoint shares, whether this app creates it ({@link InferenceEndpoint}) or imports
 * one ({@link InferenceEndpoint.fromEndpointAttributes}): metrics and the invoke grant.
 */
export abstract class InferenceEndpointBase extends Construct implements IInferenceEndpoint {
  public abstract readonly endpointName: string;
  public abstract readonly endpointArn: string;
  public abstract readonly variantNames: readonly string[];
  public abstract readonly dataCaptureLocation?: string;
  public abstract readonly variantVcpus?: Readonly<Record<string, number>>;
  public abstract readonly shadowVariantName?: string;
  public abstract readonly serverlessVariantNames?: readonly string[];

  public metricInvocations(props?: EndpointMetricOptions): cloudwatch.Metric {
    return this.metric('Invocations', 'Sum', props);
  }

  public metricLatency(props?: EndpointMetricOptions): cloudwatch.Metric {
    return this.metric('ModelLatency', 'p99', props);
  }

  public metric5xx(props?: EndpointMetricOptions): cloudwatch.Metric {
    return this.metric('Invocation5XXErrors', 'Sum', props);
  }

  public metric4xx(props?: EndpointMetricOptions): cloudwatch.Metric {
    return this.metric('Invocation4XXErrors', 'Sum', props);
  }

  public metricModelErrors(props?: EndpointMetricOptions): cloudwatch.Metric {
    return this.metric('InvocationModelErrors', 'Sum', props);
  }

  public metricCpuUtilization(props?: EndpointMetricOptions): cloudwatch.Metric {
    return this.metric('CPUUtilization', 'Average', { period: Duration.minutes(5), ...props }, '/aws/sagemaker/Endpoints');
  }

  public metricMemoryUtilization(props?: EndpointMetricOptions): cloudwatch.Metric {
    return this.metric('MemoryUtilization', 'Average', { period: Duration.minutes(5), ...props }, '/aws/sagemaker/Endpoints');
  }

  public metricGpuUtilization(props?: EndpointMetricOptions): cloudwatch.Metric {
    return this.metric('GPUUtilization', 'Average', { period: Duration.minutes(5), ...props }, '/aws/sagemaker/Endpoints');
  }

  public metricDiskUtilization(props?: EndpointMetricOptions): cloudwatch.Metric {
    return this.metric('DiskUtilization', 'Average', { period: Duration.minutes(5), ...props }, '/aws/sagemaker/Endpoints');
  }

  public metricServerlessConcurrencyUtilization(props?: EndpointMetricOptions): cloudwatch.Metric {
    // "ServerlessConcurrentExecutionsUtilization: The number of concurrent executions divided by the
    // maximum concurrency. Units: None. Valid statistics: Average, Max, Min" (SageMaker developer guide,
    // "Alarms and logs for tracking metrics from serverless endpoints",
    // https://docs.aws.amazon.com/sagemaker/latest/dg/serverless-endpoints-monitoring.html).
    return this.metric('ServerlessConcurrentExecutionsUtilization', 'Maximum', props);
  }

  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return grantWithKey(grantee, { actions: perms.INVOKE, resourceArns: [this.endpointArn] });
  }

  private metric(metricName: string, statistic: string, props: EndpointMetricOptions = {}, namespace = 'AWS/SageMaker'): cloudwatch.Metric {
    const { variantName, ...options } = props;
    return new cloudwatch.Metric({
      namespace,
      metricName,
      dimensionsMap: { EndpointName: this.endpointName, VariantName: variantName ?? this.variantNames[0] },
      statistic,
      period: Duration.minutes(1),
      ...options,
    });
  }
}

/** An endpoint another app (or stage) owns, in this stack's account and region. */
export interface InferenceEndpointAttributes {
  /** Name of the endpoint. */
  readonly endpointName: string;
  /**
   * Names of its production variants, then its shadow variant if any; metrics default to the first.
   * @default ['AllTraffic'] (the variant name an InferenceEndpoint gives by default)
   */
  readonly variantNames?: string[];
  /**
   * `s3://` prefix under which SageMaker writes its captured data (drift and model-quality
   * monitoring need it): `<lakehouse raw zone>/<capture prefix><endpoint name>/`.
   * @default unknown: monitoring that needs captured data fails validation
   */
  readonly dataCaptureLocation?: string;
  /**
   * vCPUs of one instance of each instance-based variant, by variant name.
   * @default unknown (monitoring then treats an instance as one vCPU)
   */
  readonly variantVcpus?: Record<string, number>;
  /**
   * Name of the shadow variant, the last of `variantNames`.
   * @default no shadow variant
   */
  readonly shadowVariantName?: string;
  /**
   * Names of the variants served by SageMaker serverless inference, among `variantNames`.
   * @default none (every variant runs on instances)
   */
  readonly serverlessVariantNames?: string[];
}

const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;

/** The endpoint {@link InferenceEndpoint.fromEndpointAttributes} returns. */
export class ImportedInferenceEndpoint extends InferenceEndpointBase {
  public readonly endpointName: string;
  public readonly endpointArn: string;
  public readonly variantNames: readonly string[];
  public readonly dataCaptureLocation?: string;
  public readonly variantVcpus?: Readonly<Record<string, number>>;
  public readonly shadowVariantName?: string;
  public readonly serverlessVariantNames?: readonly string[];

  constructor(scope: Construct, id: string, attrs: InferenceEndpointAttributes) {
    super(scope, id);
    const v = new Validator(this);
    // SageMaker API EndpointName: length 0-63, pattern "[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
    // (https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_EndpointInfo.html).
    if (typeof attrs?.endpointName !== 'string') v.fail('endpointName', attrs?.endpointName, 'must be the name of the endpoint');
    else v.matches(attrs.endpointName, ENDPOINT_NAME, 'endpointName', 'must be 1-63 letters, digits or hyphens, starting and ending with a letter or digit');
    const variants = attrs?.variantNames ?? [INFERENCE_DEFAULTS.variantName];
    v.check(Array.isArray(variants) && variants.length > 0 && variants.every((n) => typeof n === 'string' && n.length > 0), 'variantNames', variants,
      'must name at least one variant');
    if (attrs?.dataCaptureLocation !== undefined) {
      v.matches(attrs.dataCaptureLocation, /^s3:\/\/[^/]+\/.*\/$/, 'dataCaptureLocation', 'must be an s3://bucket/prefix/ location ending with "/"');
    }
    if (attrs?.shadowVariantName !== undefined && Array.isArray(variants)) {
      v.check(variants.length > 1 && variants[variants.length - 1] === attrs.shadowVariantName, 'shadowVariantName', attrs.shadowVariantName,
        'must be the last of variantNames, after at least one production variant');
    }
    (attrs?.serverlessVariantNames ?? []).forEach((n, i) => v.check(Array.isArray(variants) && variants.includes(n), `serverlessVariantNames[${i}]`, n,
      'must be one of variantNames'));
    v.throwIfAny();
    this.endpointName = attrs.endpointName;
    this.endpointArn = endpointArnOf(this, attrs.endpointName);
    this.variantNames = [...variants];
    this.dataCaptureLocation = attrs.dataCaptureLocation;
    this.variantVcpus = attrs.variantVcpus;
    this.shadowVariantName = attrs.shadowVariantName;
    this.serverlessVariantNames = attrs.serverlessVariantNames ? [...attrs.serverlessVariantNames] : undefined;
  }
}
