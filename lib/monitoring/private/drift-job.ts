import { Arn, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { Glue5JobLogging } from '../../core/glue';
import { grantWithKey } from '../../core/grants';
import { acknowledgeWildcardResources } from '../../core/nag';
import { DRIFT_JOB_SCRIPT, modelStatsLibrary } from '../../core/python-assets';
import { resolveRemovalPolicy } from '../../core/removal';
import { DRIFT_METRIC_SPEC } from '../drift-metrics';
import { DRIFT_MONITOR_DEFAULTS, DriftMonitorProps } from '../drift-monitor-props';
import * as perms from '../perms';
import { S3UriGrants } from './model-monitor-grants';

/** Everything the job is told, rendered as its DefaultArguments (the interface drift_job.py reads). */
export interface DriftJobArguments {
  readonly endpointName: string;
  readonly variantNames: readonly string[];
  readonly captureUri: string;
  readonly servedVersionParameter: string;
  readonly placeholder: string;
  readonly reportUri: string;
  readonly windowHours: number;
  readonly minRecords: number;
  readonly groundTruthUri?: string;
  readonly problemType: string;
  readonly qualityMetric: string;
}

/** What the job may touch, for the role. */
interface DriftJobAccess {
  readonly props: DriftMonitorProps;
  readonly args: DriftJobArguments;
  readonly parameterArn: string;
}

/**
 * The drift job: a Glue 5.0 Spark job (`glueetl`, Python 3, two G.1X workers) running
 * drift_job.py with model_stats.py on its Python path, as a role that can do exactly what the job
 * does, and a SCHEDULED Glue trigger that starts it.
 */
export class DriftJob extends Construct {
  public readonly role: iam.Role;
  public readonly job: glue.CfnJob;
  public readonly jobName: string;
  public readonly trigger: glue.CfnTrigger;
  public readonly logging: Glue5JobLogging;
  /** The job's DefaultArguments. */
  public readonly defaultArguments: Readonly<Record<string, string>>;
  /** The model_stats asset, given to the job with `--extra-py-files`. */
  public readonly modelStats: s3assets.Asset;
  /** The drift_job.py asset, the job's script. */
  public readonly script: s3assets.Asset;

  constructor(scope: Construct, id: string, access: DriftJobAccess) {
    super(scope, id);
    const { props, args } = access;
    const lakeKey = props.lakehouse.encryptionKey;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('glue.amazonaws.com'),
      description: `Drift and model-quality job of ${this.node.path}`,
    });
    this.grantJob(access);

    this.script = new s3assets.Asset(this, 'Script', { path: DRIFT_JOB_SCRIPT });
    // "Using Python libraries with AWS Glue": --extra-py-files takes S3 paths of .py files or .zip
    // archives, added to the Python path before the script runs. A single .py file is imported by
    // its S3 file name, and an asset's object key is a content hash, so the module ships as a .zip
    // whose root holds model_stats.py: `import model_stats` then works (zipimport).
    this.modelStats = modelStatsLibrary(this, 'ModelStats');
    const assets = [this.script, this.modelStats].map((a) => a.bucket.arnForObjects(a.s3ObjectKey));
    grantWithKey(this.role, { actions: perms.S3_OBJECT_READ, resourceArns: assets });

    this.logging = new Glue5JobLogging(this, 'Logging', { key: lakeKey, removalPolicy: resolveRemovalPolicy(this), role: this.role });

    this.defaultArguments = {
      '--job-language': 'python',
      '--job-bookmark-option': 'job-bookmark-disable',
      ...this.logging.arguments,
      '--extra-py-files': this.modelStats.s3ObjectUrl,
      ...renderDriftArguments(args),
    };
    this.job = new glue.CfnJob(this, 'Job', {
      description: `Drift and model quality of endpoint ${args.endpointName} (${this.node.path})`,
      role: this.role.roleArn,
      command: { name: 'glueetl', pythonVersion: '3', scriptLocation: this.script.s3ObjectUrl },
      glueVersion: DRIFT_MONITOR_DEFAULTS.glueVersion,
      workerType: DRIFT_MONITOR_DEFAULTS.workerType,
      numberOfWorkers: DRIFT_MONITOR_DEFAULTS.numberOfWorkers,
      timeout: DRIFT_MONITOR_DEFAULTS.jobTimeout.toMinutes(),
      // The next scheduled run is the retry; a failed run is reported (Glue Job State Change).
      maxRetries: 0,
      executionProperty: { maxConcurrentRuns: 1 },
      securityConfiguration: this.logging.securityConfiguration.ref,
      defaultArguments: { ...this.defaultArguments },
    });
    this.job.node.addDependency(this.role);
    this.jobName = this.job.ref;

    // A SCHEDULED trigger with StartOnCreation: "Starting jobs and crawlers using triggers" (AWS Glue
    // developer guide); a scheduled trigger created without it stays in CREATED and never fires.
    this.trigger = new glue.CfnTrigger(this, 'Schedule', {
      type: 'SCHEDULED',
      schedule: props.schedule ?? DRIFT_MONITOR_DEFAULTS.schedule,
      startOnCreation: true,
      description: `Runs the drift job of endpoint ${args.endpointName}`,
      actions: [{ jobName: this.jobName }],
    });
  }

  /** Exactly what the job does with its credentials; no `*` actions. */
  private grantJob(access: DriftJobAccess): void {
    const { props, args, parameterArn } = access;
    const role = this.role;
    const lakeKey = props.lakehouse.encryptionKey;
    // 1. The served version: the SSM parameter the endpoint's registry source reads.
    grantWithKey(role, { actions: perms.SSM_READ, resourceArns: [parameterArn] });
    // 2. Its model package (for the baseline location): versions of the one group that serves the endpoint.
    const { account, region } = props.registry.encryptionKey.env;
    const packages = Arn.format({
      service: 'sagemaker', resource: 'model-package', resourceName: `${props.registry.modelPackageGroupName(props.model)}/*`, account, region,
    }, Stack.of(this));
    grantWithKey(role, { actions: perms.PACKAGE_DESCRIBE, resourceArns: [packages] });
    acknowledgeWildcardResources(role, [packages], 'Versions are model-package/<group>/<version>: the wildcard covers the versions of the one group that serves the endpoint.');
    // 3. The baselines the retraining workflow writes next to each registered version.
    const baselines = props.registry.artifactBucket.arnForObjects(`${props.registry.artifactPrefix(props.model)}runs/*/baseline/*`);
    grantWithKey(role, { actions: perms.S3_OBJECT_READ, resourceArns: [baselines], key: props.registry.encryptionKey, keyActions: perms.KMS_READ });
    acknowledgeWildcardResources(role, [baselines], 'Each retraining run writes its baseline under runs/<run id>/baseline/; the served version names its run.');
    // 4. Captured data and ground truth (list and read), 5. reports (write), with the lakehouse key.
    const s3 = new S3UriGrants(this, lakeKey);
    s3.prefix(role, args.captureUri, perms.S3_OBJECT_READ, perms.KMS_READ,
      'Data capture writes one object per batch of requests under the endpoint\'s capture prefix (dated keys).');
    if (args.groundTruthUri) {
      s3.prefix(role, args.groundTruthUri, perms.S3_OBJECT_READ, perms.KMS_READ, 'The labelling process writes ground truth as any number of objects under the prefix.');
    }
    s3.prefix(role, args.reportUri, perms.S3_OBJECT_WRITE, perms.KMS_WRITE, 'Each run writes its report under a new dated key of the report prefix.');
    // 6. Metrics: PutMetricData has no resource-level permissions; the condition keeps it to the platform's namespace.
    iam.Grant.addToPrincipal({
      grantee: role,
      actions: perms.METRICS_WRITE,
      resourceArns: ['*'],
      conditions: { StringEquals: { 'cloudwatch:namespace': DRIFT_METRIC_SPEC.namespace } },
    });
    acknowledgeWildcardResources(role, ['*'], `cloudwatch:PutMetricData supports no resource-level permissions; limited to ${DRIFT_METRIC_SPEC.namespace} by condition.`);
  }
}

/** The drift job's own arguments, exactly as drift_job.py reads them. */
export function renderDriftArguments(a: DriftJobArguments): Record<string, string> {
  return {
    '--endpoint_name': a.endpointName,
    '--variant_names': a.variantNames.join(','),
    '--capture_uri': a.captureUri,
    '--served_version_parameter': a.servedVersionParameter,
    '--placeholder': a.placeholder,
    '--report_uri': a.reportUri,
    '--window_hours': String(a.windowHours),
    '--min_records': String(a.minRecords),
    '--metric_spec': JSON.stringify(DRIFT_METRIC_SPEC),
    '--ground_truth_uri': a.groundTruthUri ?? 'none',
    '--problem_type': a.problemType,
    '--quality_metric': a.qualityMetric,
  };
}
