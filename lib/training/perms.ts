import { SAGEMAKER_LOGS_WRITE, SAGEMAKER_VPC_ENI } from '../core/perms';

/** IAM action lists for training. Explicit names only, never wildcards. */

/** Network interfaces SageMaker creates for jobs in a VPC (these EC2 actions support no resource-level scoping). */
export const VPC_ENI = [...SAGEMAKER_VPC_ENI];

/** Job logs in /aws/sagemaker/ log groups. */
export const JOB_LOGS = [...SAGEMAKER_LOGS_WRITE];

/** Job metrics. */
export const METRICS_PUT = ['cloudwatch:PutMetricData'];

/** Reading code assets (one object each). */
export const CODE_READ = ['s3:GetObject'];

/** Job inputs and outputs under the model's artifact prefix. */
export const ARTIFACT_RW = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];
export const ARTIFACT_LIST = ['s3:ListBucket', 's3:GetBucketLocation'];
export const KEY_RW = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:CreateGrant'];

/** The job role reading its run's export (SageMaker downloads the S3Prefix input). */
export const EXPORT_READ = ['s3:GetObject'];
export const EXPORT_KEY_READ = ['kms:Decrypt', 'kms:DescribeKey'];
/** The orchestrator's Athena UNLOAD writing a run's export (Athena writes with the caller's credentials, SSE-KMS per the workgroup). */
export const EXPORT_WRITE = ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];
export const EXPORT_KEY_WRITE = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];

/** Running processing jobs with the .sync integration. */
export const PROCESSING_RUN = ['sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob', 'sagemaker:AddTags'];
/** Running training jobs with the .sync integration. */
export const TRAINING_RUN = ['sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob', 'sagemaker:AddTags'];
/** The managed EventBridge rules that .sync integrations use to learn when a job ends. */
export const SYNC_RULES = ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'];

/** What the cluster autoscaler reads; none of these support resource-level permissions. */
export const AUTOSCALER_DESCRIBE = [
  'autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeLaunchConfigurations',
  'autoscaling:DescribeScalingActivities', 'autoscaling:DescribeTags', 'ec2:DescribeImages', 'ec2:DescribeInstanceTypes',
  'ec2:DescribeLaunchTemplateVersions', 'ec2:GetInstanceTypesFromInstanceRequirements',
];
/** What the cluster autoscaler changes, on the node groups' Auto Scaling groups only. */
export const AUTOSCALER_SCALE = ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'];

/** What a pod needs on SSE-KMS artifact objects. */
export const TEAM_ARTIFACT_KEY = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];

/**
 * The retraining workflow's lineage entities (SageMaker ML Lineage Tracking): CreateContext on a
 * context, CreateArtifact on an artifact, AddAssociation on both ends (Service Authorization
 * Reference, Amazon SageMaker: resource types context, artifact).
 */
export const LINEAGE_CONTEXT = ['sagemaker:CreateContext', 'sagemaker:AddAssociation'];
export const LINEAGE_ARTIFACT = ['sagemaker:CreateArtifact', 'sagemaker:AddAssociation'];
/** Writing the run's lineage document (SSE-KMS with the registry key). */
export const LINEAGE_DOCUMENT_WRITE = ['s3:PutObject'];
export const LINEAGE_DOCUMENT_KEY = ['kms:Encrypt', 'kms:GenerateDataKey'];
/**
 * Listing a Hive source table's object versions for the run's data manifest (ListObjectVersions is
 * authorized by s3:ListBucketVersions, on the bucket).
 */
export const TABLE_VERSIONS_LIST = ['s3:ListBucketVersions'];
