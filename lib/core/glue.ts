import { Names, RemovalPolicy } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { createLogGroup } from './encryption';
import { grantWithKey } from './grants';
import { acknowledgeWildcardResources } from './nag';

/**
 * What a Glue job needs on the log groups created for it: they exist (no CreateLogGroup);
 * AssociateKmsKey because the security configuration encrypts CloudWatch logs with the key.
 */
export const GLUE_JOB_LOG_ACTIONS: readonly string[] = ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:AssociateKmsKey'];

/** Props of {@link Glue5JobLogging}. */
export interface Glue5JobLoggingProps {
  /** Key that encrypts the log groups and, through the security configuration, what the job writes. */
  readonly key: kms.IKey;
  /** Removal policy of the log groups. */
  readonly removalPolicy: RemovalPolicy;
  /** The job's role: it may write to exactly the two log groups. */
  readonly role: iam.IRole;
}

/**
 * Logging and encryption of one Glue 5.0 job, for jobs that must not write anywhere else:
 *
 * "Logging for AWS Glue jobs" (AWS Glue developer guide): Glue 5.0 always logs in real time, to
 * `/aws-glue/jobs/error` (system, Spark and GlueLogger logs) and `/aws-glue/jobs/output`
 * (stdout/stderr) unless the job argument `--custom-logGroup-prefix` names a prefix: then to
 * `<prefix>/error` and `<prefix>/output`. Both groups are created here with their exact names,
 * KMS-encrypted and retained per profile, and the role may write to exactly these two groups.
 * A security configuration encrypts the job's S3 output (SSE-KMS), its CloudWatch logs and its
 * bookmarks with the same key.
 */
export class Glue5JobLogging extends Construct {
  /** The value of `--custom-logGroup-prefix`. */
  public readonly logGroupPrefix: string;
  /** `<prefix>/error`: system, Spark and GlueLogger logs. */
  public readonly errorLogGroup: logs.LogGroup;
  /** `<prefix>/output`: stdout and stderr of the script. */
  public readonly outputLogGroup: logs.LogGroup;
  /** The security configuration; pass its `ref` (the name) as the job's `SecurityConfiguration`. */
  public readonly securityConfiguration: glue.CfnSecurityConfiguration;
  /** The job arguments that select the log groups. */
  public readonly arguments: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: Glue5JobLoggingProps) {
    super(scope, id);
    this.logGroupPrefix = `/mlops/glue/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`;
    this.errorLogGroup = createLogGroup(this, 'ErrorLogs', { key: props.key, removalPolicy: props.removalPolicy, logGroupName: `${this.logGroupPrefix}/error` });
    this.outputLogGroup = createLogGroup(this, 'OutputLogs', { key: props.key, removalPolicy: props.removalPolicy, logGroupName: `${this.logGroupPrefix}/output` });
    const groups = [this.errorLogGroup.logGroupArn, this.outputLogGroup.logGroupArn];
    grantWithKey(props.role, { actions: GLUE_JOB_LOG_ACTIONS, resourceArns: groups });
    acknowledgeWildcardResources(props.role, groups, 'Log group ARNs end in ":*" to cover the one log stream Glue writes per job run and executor.');

    this.securityConfiguration = new glue.CfnSecurityConfiguration(this, 'SecurityConfiguration', {
      name: Names.uniqueResourceName(this, { maxLength: 255 }),
      encryptionConfiguration: {
        s3Encryptions: [{ s3EncryptionMode: 'SSE-KMS', kmsKeyArn: props.key.keyArn }],
        cloudWatchEncryption: { cloudWatchEncryptionMode: 'SSE-KMS', kmsKeyArn: props.key.keyArn },
        jobBookmarksEncryption: { jobBookmarksEncryptionMode: 'CSE-KMS', kmsKeyArn: props.key.keyArn },
      },
    });
    this.arguments = { '--custom-logGroup-prefix': this.logGroupPrefix };
  }
}
