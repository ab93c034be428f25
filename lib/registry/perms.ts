/** IAM action lists for the model registry. Explicit names only, never wildcards. */

/** Reading a model package group and its versions (on the group and its packages). */
export const PACKAGE_READ = ['sagemaker:DescribeModelPackageGroup', 'sagemaker:DescribeModelPackage', 'sagemaker:ListModelPackages'];
/**
 * Registering a new version. Granted only with the condition
 * `sagemaker:ModelApprovalStatus = PendingManualApproval`.
 */
export const PACKAGE_REGISTER = ['sagemaker:CreateModelPackage'];
/** Tagging a version while registering it (SageMaker authorizes tags on create as AddTags). */
export const PACKAGE_TAG = ['sagemaker:AddTags'];
/** Approving or rejecting a version. */
export const PACKAGE_APPROVE = ['sagemaker:UpdateModelPackage'];

/** Bucket-level S3 actions for reading or writing artifacts. */
export const S3_BUCKET_READ = ['s3:ListBucket', 's3:GetBucketLocation'];
/** Object-level S3 actions for reading artifacts. */
export const S3_OBJECT_READ = ['s3:GetObject', 's3:GetObjectVersion'];
/** Object-level S3 actions for writing artifacts. No delete: registered artifacts are evidence. */
export const S3_OBJECT_WRITE = ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'];

/** KMS actions for reading SSE-KMS objects. */
export const KMS_READ = ['kms:Decrypt', 'kms:DescribeKey'];
/** KMS actions for writing SSE-KMS objects. */
export const KMS_WRITE = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];

/** Pulling images from a repository (ECR decrypts layers through its own grant on the key). */
export const ECR_PULL = ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'];
/** Pushing images to a repository (pushes also read layers and manifests). */
export const ECR_PUSH = [
  'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage',
  'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage',
];
/** Registry login; supports no resource-level permissions. */
export const ECR_AUTH = ['ecr:GetAuthorizationToken'];

/** Opening the tracking server (UI and API) through SageMaker. */
export const MLFLOW_SERVER_ACCESS = ['sagemaker:CreatePresignedMlflowTrackingServerUrl', 'sagemaker:DescribeMlflowTrackingServer'];
/** Experiment tracking on the MLflow tracking server: experiments, runs, metrics, params, tags, artifacts listing. */
export const MLFLOW_TRACKING = [
  'sagemaker-mlflow:AccessUI',
  'sagemaker-mlflow:CreateExperiment', 'sagemaker-mlflow:GetExperiment', 'sagemaker-mlflow:GetExperimentByName',
  'sagemaker-mlflow:SearchExperiments', 'sagemaker-mlflow:UpdateExperiment', 'sagemaker-mlflow:SetExperimentTag',
  'sagemaker-mlflow:CreateRun', 'sagemaker-mlflow:GetRun', 'sagemaker-mlflow:UpdateRun', 'sagemaker-mlflow:SearchRuns',
  'sagemaker-mlflow:LogMetric', 'sagemaker-mlflow:LogBatch', 'sagemaker-mlflow:LogParam', 'sagemaker-mlflow:LogInputs',
  'sagemaker-mlflow:LogModel', 'sagemaker-mlflow:GetMetricHistory', 'sagemaker-mlflow:SetTag', 'sagemaker-mlflow:DeleteTag',
  'sagemaker-mlflow:ListArtifacts',
];
