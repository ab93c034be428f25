import * as path from 'path';
import { Duration, Token } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { MlInstanceType } from '../../core/ml-instance-type';
import { ProcessingStepOptions, TRAINING_DEFAULTS } from '../training-cluster-props';

/** Where processing inputs and outputs live in the container. */
export const CODE_DIR = '/opt/ml/processing/input/code';
export const DATA_DIR = '/opt/ml/processing/input/data';
export const MODEL_DIR = '/opt/ml/processing/input/model';
export const OUTPUT_DIR = '/opt/ml/processing/output';

/**
 * Errors worth retrying, by integration, as Step Functions names them.
 *
 * - Optimized SageMaker integration (createProcessingJob.sync, createTrainingJob.sync): errors are
 *   `SageMaker.<Exception>`; the Step Functions SageMaker page documents
 *   `SageMaker.ResourceLimitExceededException` (a quota such as concurrent jobs) and the generic
 *   `SageMaker.AmazonSageMakerException` (throttling and service faults surface as this one). A job
 *   that runs and fails is `States.TaskFailed`, which is not retried.
 * - AWS SDK integrations (aws-sdk:sagemaker, aws-sdk:s3): "Learning to use AWS service SDK
 *   integrations in Step Functions": the error is `ServiceName.ErrorName` in PascalCase, always with
 *   the `Exception` suffix even where the API reference omits it (S3 `CreateBucket`'s
 *   BucketAlreadyExists is `S3.BucketAlreadyExistsException`). SageMaker common errors
 *   (ThrottlingException, InternalFailure, ServiceUnavailable; API reference "Common Errors") and
 *   CreateModelPackage's ResourceLimitExceeded; S3 GetObject / ListObjectsV2 SlowDown, InternalError,
 *   ServiceUnavailable (S3 API reference, "Error responses").
 * - Optimized Athena integration (startQueryExecution.sync): `Athena.<Exception>`; StartQueryExecution
 *   documents TooManyRequestsException and InternalServerException; AmazonAthenaException is the generic one.
 * - Lambda invoke: "Handle Lambda service exceptions"
 *   (https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html): transient
 *   service errors are `Lambda.ClientExecutionTimeoutException`, `Lambda.ServiceException`,
 *   `Lambda.AWSLambdaException`, `Lambda.SdkClientException`; throttling is
 *   `Lambda.TooManyRequestsException`. Errors the function throws (and `Lambda.Unknown`: timeouts,
 *   out of memory) are not retried.
 */
export const RETRY_ERRORS = {
  sagemakerJob: ['SageMaker.ResourceLimitExceededException', 'SageMaker.AmazonSageMakerException'],
  sagemakerSdk: ['SageMaker.ThrottlingException', 'SageMaker.InternalFailureException', 'SageMaker.ServiceUnavailableException', 'SageMaker.ResourceLimitExceededException'],
  s3Sdk: ['S3.SlowDownException', 'S3.InternalErrorException', 'S3.ServiceUnavailableException'],
  athena: ['Athena.TooManyRequestsException', 'Athena.InternalServerException', 'Athena.AmazonAthenaException'],
  lambda: ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
} as const;

export function retry(errors: readonly string[]): sfn.RetryProps {
  return {
    errors: [...errors],
    interval: Duration.seconds(30),
    backoffRate: 2,
    maxAttempts: 4,
    maxDelay: Duration.minutes(10),
    jitterStrategy: sfn.JitterType.FULL,
  };
}

/** The resolved settings of a processing step. */
export interface StepSettings {
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly volumeGiB: number;
  readonly maxRuntime: Duration;
}

/** Resolves a processing step's settings with the documented defaults. */
export function stepSettings(o: ProcessingStepOptions): StepSettings {
  return {
    instanceType: MlInstanceType.from(o.instanceType ?? TRAINING_DEFAULTS.instanceType).name,
    instanceCount: o.instanceCount ?? TRAINING_DEFAULTS.instanceCount,
    volumeGiB: (o.volumeSize ?? TRAINING_DEFAULTS.processingVolume).toGibibytes(),
    maxRuntime: o.maxRuntime ?? TRAINING_DEFAULTS.processingMaxRuntime,
  };
}

/**
 * The code input of a processing job and the path its script has in the container. The asset is
 * stored as `<hash>.py`; for an `S3Prefix` input naming one object, SageMaker downloads it to
 * `<LocalPath>/<last segment of the key>` (ProcessingS3Input, SageMaker API reference: S3Uri is a
 * key-name prefix and every object under it is downloaded below LocalPath), so that is the
 * entrypoint, not the script's name on this machine.
 */
export function codeInput(asset: s3assets.Asset): { input: Record<string, unknown>; path: string } {
  const key = asset.s3ObjectKey;
  // The default synthesizer's keys are concrete (`<hash>.py`); an unresolved key is used as it is.
  const file = Token.isUnresolved(key) ? key : path.posix.basename(key);
  return {
    input: { InputName: 'code', S3Input: { S3Uri: asset.s3ObjectUrl, LocalPath: CODE_DIR, S3DataType: 'S3Prefix', S3InputMode: 'File' } },
    path: `${CODE_DIR}/${file}`,
  };
}
