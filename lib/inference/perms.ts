import { SAGEMAKER_LOGS_WRITE, SAGEMAKER_VPC_ENI } from '../core/perms';

/** IAM action lists for inference endpoints. Explicit names only, never wildcards. */

/** Invoking an endpoint: real-time, asynchronous and streaming. */
export const INVOKE = ['sagemaker:InvokeEndpoint', 'sagemaker:InvokeEndpointAsync', 'sagemaker:InvokeEndpointWithResponseStream'];

/** Writing captured requests and responses or async results (object level). */
export const S3_OBJECT_WRITE = ['s3:PutObject', 's3:AbortMultipartUpload'];
/** Reading model data from S3 (object level). */
export const S3_OBJECT_READ = ['s3:GetObject', 's3:GetObjectVersion'];
/** Bucket-level actions that accompany object access. */
export const S3_BUCKET = ['s3:ListBucket', 's3:GetBucketLocation'];

/** KMS actions for writing SSE-KMS objects or publishing to an encrypted topic. */
export const KMS_WRITE = ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt', 'kms:DescribeKey'];
/** KMS actions for reading SSE-KMS objects. */
export const KMS_READ = ['kms:Decrypt', 'kms:DescribeKey'];

/** Publishing async inference notifications. */
export const SNS_PUBLISH = ['sns:Publish'];

/** Container logs of the endpoint (on /aws/sagemaker/Endpoints/*). */
export const LOGS_WRITE = [...SAGEMAKER_LOGS_WRITE];
/** Container metrics; PutMetricData supports no resource-level permissions. */
export const METRICS_WRITE = ['cloudwatch:PutMetricData'];

/** Elastic network interfaces SageMaker creates for a model in a VPC; these support no resource-level permissions. */
export const VPC_ENI = [...SAGEMAKER_VPC_ENI];

/** Pulling images from an ECR repository. */
export const ECR_PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
/** Registry login; supports no resource-level permissions. */
export const ECR_AUTH = ['ecr:GetAuthorizationToken'];
