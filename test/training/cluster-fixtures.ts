import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { DataLakehouse } from '../../lib';
import { ClusterEngineOptions } from '../../lib/training/cluster-options';
import { ClusterEngine } from '../../lib/training/private/cluster-engine';

/** What the cluster engine needs from its surroundings: a lakehouse, the registry's artifact bucket and key, a VPC. */
export interface ClusterInputs {
  readonly lakehouse: DataLakehouse;
  readonly artifactBucket: s3.Bucket;
  readonly artifactKey: kms.Key;
  readonly vpc: ec2.Vpc;
}

/**
 * The engine's inputs, standing in for what TrainingCluster passes: the registry is reduced to
 * the two things the engine uses (its artifact bucket and key), and the VPC has what TrainingCluster's
 * own VPC has (isolated subnets in two AZs, flow logs, no NAT).
 */
export function clusterInputs(stack: Stack): ClusterInputs {
  const lakehouse = new DataLakehouse(stack, 'Lake');
  const artifactKey = new kms.Key(stack, 'ArtifactKey', { enableKeyRotation: true });
  const artifactBucket = new s3.Bucket(stack, 'Artifacts', {
    encryptionKey: artifactKey, enforceSSL: true, serverAccessLogsBucket: lakehouse.accessLogBucket, serverAccessLogsPrefix: 'artifacts/',
  });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'training', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 20 }],
    restrictDefaultSecurityGroup: false,
    flowLogs: { All: {} },
  });
  return { lakehouse, artifactBucket, artifactKey, vpc };
}

/** A ClusterEngine on those inputs. */
export function clusterEngine(scope: Construct, inputs: ClusterInputs, options: ClusterEngineOptions = {},
  extra: { vpcIsOwned?: boolean; removalPolicy?: RemovalPolicy; id?: string } = {}): ClusterEngine {
  return new ClusterEngine(scope, extra.id ?? 'Engine', {
    lakehouse: inputs.lakehouse,
    artifactBucket: inputs.artifactBucket,
    artifactKey: inputs.artifactKey,
    vpc: inputs.vpc,
    vpcIsOwned: extra.vpcIsOwned ?? true,
    removalPolicy: extra.removalPolicy ?? RemovalPolicy.RETAIN,
    options,
  });
}
