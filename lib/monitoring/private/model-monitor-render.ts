import { Duration, Fn } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import { MODEL_MONITOR_DEFAULTS, MonitoringJobOptions } from '../model-monitor-props';

/** Where the job finds the captured data in its container (the path the SageMaker SDK uses). */
export const ENDPOINT_LOCAL_PATH = '/opt/ml/processing/input/endpoint';
/** Where the job writes its reports in its container. */
export const OUTPUT_LOCAL_PATH = '/opt/ml/processing/output';
/** The analyzer publishes its metrics to CloudWatch only when this variable says so. */
export const ANALYZER_ENVIRONMENT: Readonly<Record<string, string>> = { publish_cloudwatch_metrics: 'Enabled' };

/** CloudWatch namespace of data-quality metrics of real-time endpoints. */
export const DATA_METRICS_NAMESPACE = 'aws/sagemaker/Endpoints/data-metrics';
/** CloudWatch namespace of model-quality metrics of real-time endpoints. */
export const MODEL_METRICS_NAMESPACE = 'aws/sagemaker/Endpoints/model-metrics';
/** Prefix of the per-feature drift metric names. */
export const DRIFT_METRIC_PREFIX = 'feature_baseline_drift_';

/**
 * The name of a job definition from its ARN (`...:data-quality-job-definition/<name>`). Job
 * definitions are left unnamed so that CloudFormation generates a name and a change (every
 * property requires replacement) creates the new definition before the old one is deleted; `Ref`
 * returns the ARN, and the schedule needs the name.
 */
export function jobDefinitionName(arn: string): string {
  return Fn.select(1, Fn.split('/', arn));
}

/** ClusterConfig of a job: instances and an encrypted volume. */
export function renderCluster(o: MonitoringJobOptions, volumeKeyArn: string) {
  return {
    instanceCount: o.instanceCount ?? MODEL_MONITOR_DEFAULTS.instanceCount,
    instanceType: (o.instanceType ?? MODEL_MONITOR_DEFAULTS.instanceType).name,
    volumeSizeInGb: (o.volumeSize ?? MODEL_MONITOR_DEFAULTS.volumeSize).toGibibytes(),
    volumeKmsKeyId: volumeKeyArn,
  };
}

/** MonitoringOutputConfig: one S3 output, encrypted with `keyArn`. */
export function renderOutput(s3Uri: string, keyArn: string) {
  return {
    kmsKeyId: keyArn,
    monitoringOutputs: [{ s3Output: { localPath: OUTPUT_LOCAL_PATH, s3Uri, s3UploadMode: 'EndOfJob' } }],
  };
}

/** An analysis-window offset in the ISO 8601 form Model Monitor expects, e.g. `-PT24H`. */
export function renderOffset(d: Duration | undefined): string | undefined {
  return d === undefined ? undefined : `-PT${d.toHours()}H`;
}

/** What the jobs' NetworkConfig needs. */
export interface MonitorNetwork {
  readonly enableNetworkIsolation: true;
  readonly enableInterContainerTrafficEncryption: true;
  readonly vpcConfig?: { readonly subnets: string[]; readonly securityGroupIds: string[] };
}

/**
 * NetworkConfig of every job: network isolation and inter-container encryption always; a VpcConfig
 * when a VPC is given, with the given security groups or one that allows only outbound HTTPS.
 */
export function renderNetwork(scope: Construct, vpc: ec2.IVpc | undefined, subnets: ec2.SubnetSelection | undefined,
  securityGroups: ec2.ISecurityGroup[] | undefined): { network: MonitorNetwork; subnetIds: string[] } {
  if (!vpc) return { network: { enableNetworkIsolation: true, enableInterContainerTrafficEncryption: true }, subnetIds: [] };
  let groups = securityGroups;
  if (!groups) {
    const group = new ec2.SecurityGroup(scope, 'SecurityGroup', {
      vpc,
      description: 'Model Monitor jobs: outbound HTTPS to S3, KMS, CloudWatch and SageMaker only',
      allowAllOutbound: false,
    });
    group.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to AWS service endpoints');
    groups = [group];
  }
  const subnetIds = vpc.selectSubnets(subnets).subnetIds;
  return {
    network: {
      enableNetworkIsolation: true,
      enableInterContainerTrafficEncryption: true,
      vpcConfig: { subnets: subnetIds, securityGroupIds: groups.map((g) => g.securityGroupId) },
    },
    subnetIds,
  };
}
