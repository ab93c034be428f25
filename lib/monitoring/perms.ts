import { SAGEMAKER_LOGS_WRITE, SAGEMAKER_VPC_ENI } from '../core/perms';

/** IAM action lists for the drift job and Model Monitor jobs. Explicit names only, never wildcards. */

/** Reading captured data, baselines and ground truth (object level). */
export const S3_OBJECT_READ = ['s3:GetObject'];
/** Listing a prefix (captured data, ground truth, reports), scoped by an `s3:prefix` condition. */
export const S3_LIST = ['s3:ListBucket'];
/** Writing reports; the model-quality merge step also reads its merged data back from the same prefix. */
export const S3_REPORTS = ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload'];
/** Writing baselines or ground truth (for the workflows that produce them). */
export const S3_OBJECT_WRITE = ['s3:PutObject', 's3:AbortMultipartUpload'];

/** Reading SSE-KMS objects. */
export const KMS_READ = ['kms:Decrypt', 'kms:DescribeKey'];
/** Writing SSE-KMS objects (multipart uploads also decrypt). */
export const KMS_WRITE = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];
/** Encrypting the jobs' EBS volumes. */
export const KMS_VOLUME = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];
/** The grant EBS needs for an encrypted volume; allowed only for AWS resources by condition. */
export const KMS_VOLUME_GRANT = ['kms:CreateGrant'];

/** Job logs in /aws/sagemaker/ProcessingJobs. */
export const LOGS_WRITE = [...SAGEMAKER_LOGS_WRITE];
/** The analyzer's metrics; PutMetricData supports no resource-level permissions (scoped by namespace condition). */
export const METRICS_WRITE = ['cloudwatch:PutMetricData'];

/** Network interfaces SageMaker creates for jobs in a VPC; these support no resource-level permissions. */
export const VPC_ENI = [...SAGEMAKER_VPC_ENI];

/** Reading the served version from its SSM parameter (drift job). */
export const SSM_READ = ['ssm:GetParameter'];
/** Reading the served model package, which names its baseline (drift job). */
export const PACKAGE_DESCRIBE = ['sagemaker:DescribeModelPackage'];
