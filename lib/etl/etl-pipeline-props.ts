import { Duration, Size } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IDataLakehouse } from '../lakehouse/data-lakehouse';
import { LakehouseZone } from '../lakehouse/zone';

/** Glue runtime versions this library accepts for Spark jobs. */
export class GlueVersion {
  /** Glue 4.0: Spark 3.3, Python 3.10. */
  public static readonly V4_0 = new GlueVersion('4.0');
  /** Glue 5.0: Spark 3.5, Python 3.11 (the default). */
  public static readonly V5_0 = new GlueVersion('5.0');
  /** Versions `custom` accepts. */
  public static readonly SUPPORTED: readonly string[] = ['4.0', '5.0'];

  /** A version string from configuration; validated against `SUPPORTED` at synth. */
  public static custom(version: string): GlueVersion {
    return new GlueVersion(version);
  }

  private constructor(
    /** The version string, for example `5.0`. */
    public readonly name: string,
  ) {}
}

/** Glue worker types for Spark ETL jobs. */
export class GlueWorkerType {
  /** 4 vCPU, 16 GB: the default. */
  public static readonly G_1X = new GlueWorkerType('G.1X');
  /** 8 vCPU, 32 GB. */
  public static readonly G_2X = new GlueWorkerType('G.2X');
  /** 16 vCPU, 64 GB. */
  public static readonly G_4X = new GlueWorkerType('G.4X');
  /** 32 vCPU, 128 GB. */
  public static readonly G_8X = new GlueWorkerType('G.8X');
  /** Worker types `custom` accepts for Spark ETL jobs. */
  public static readonly SUPPORTED: readonly string[] = ['G.1X', 'G.2X', 'G.4X', 'G.8X'];

  /** A worker type from configuration; validated against `SUPPORTED` at synth. */
  public static custom(name: string): GlueWorkerType {
    return new GlueWorkerType(name);
  }

  private constructor(
    /** The worker type name, for example `G.1X`. */
    public readonly name: string,
  ) {}
}

/** A lakehouse location a pipeline reads or writes. */
export interface ZoneTable {
  /** The zone. */
  readonly zone: LakehouseZone;
  /** A table declared in that zone of the lakehouse. */
  readonly table: string;
}

/** Data-quality gate on the batch job's output. */
export interface DataQualityOptions {
  /**
   * The ruleset in Glue DQDL, for example `Rules = [ IsComplete "id", RowCount > 0 ]`. Every rule
   * must pass: any failing rule fails the run, alerts, and keeps retraining from starting.
   */
  readonly ruleset: string;
  /**
   * How long the evaluation may take.
   * @default 30 minutes
   */
  readonly timeout?: Duration;
  /**
   * A `string` partition key of a Parquet target table that the job fills with the run id it
   * receives as `--run_id` (the Step Functions execution name; `--run_partition_key` names the
   * key). The gate then evaluates only the batch the run just wrote, with the Glue Data Quality
   * `pushDownPredicate` `<key> = '<run id>'`, instead of the whole table.
   * @default the gate evaluates the whole target table
   */
  readonly runPartitionKey?: string;
}

/** Batch ETL: a Glue Spark job orchestrated by Step Functions, gated by data quality. */
export interface BatchOptions {
  /** Path of the PySpark script on this machine; uploaded as an asset. */
  readonly script: string;
  /** Where the job reads. Its zone gets read access. */
  readonly source: ZoneTable;
  /** Where the job writes. Its zone gets write access; the data-quality ruleset checks this table. */
  readonly target: ZoneTable;
  /** The data-quality gate. */
  readonly dataQuality: DataQualityOptions;
  /**
   * Glue version.
   * @default GlueVersion.V5_0
   */
  readonly glueVersion?: GlueVersion;
  /**
   * Worker type.
   * @default GlueWorkerType.G_1X
   */
  readonly workerType?: GlueWorkerType;
  /**
   * Number of workers, 2 to 299.
   * @default 2
   */
  readonly numberOfWorkers?: number;
  /**
   * Job timeout, 1 minute to 48 hours.
   * @default 2 hours
   */
  readonly timeout?: Duration;
  /**
   * Extra job arguments (`--name: value`). Arguments the pipeline sets itself (logging, bookmarks,
   * source and target) cannot be overridden.
   * @default none
   */
  readonly arguments?: Record<string, string>;
  /**
   * Run on a schedule: `rate(...)` or `cron(...)` (EventBridge syntax, UTC).
   * @default no schedule
   */
  readonly schedule?: string;
  /**
   * Run when new objects arrive in the source zone under this key prefix (EventBridge S3
   * "Object Created" events). Use `''` for any object in the zone. Every object starts a run; the
   * job runs one at a time, so runs that overlap retry with backoff and then fail. For sources that
   * write often (a Firehose stream flushing every few minutes), prefer a schedule.
   * @default no event trigger
   */
  readonly triggerOnNewObjects?: string;
}

/** Streaming ingestion: Kinesis Data Streams into Firehose into a lakehouse zone. */
export interface StreamingOptions {
  /**
   * The zone Firehose delivers to.
   * @default LakehouseZone.RAW
   */
  readonly zone?: LakehouseZone;
  /**
   * Key prefix of delivered objects, ending with `/`. A date partition is appended.
   * @default `<table>/` with `table`, otherwise `stream/`
   */
  readonly prefix?: string;
  /**
   * A Parquet table of the zone whose schema Firehose uses to convert JSON records to Parquet.
   * @default no conversion (GZIP-compressed JSON)
   */
  readonly table?: string;
  /**
   * Number of shards (provisioned capacity); omit for the profile's default.
   * @default one provisioned shard under the dev profile (about $11 a month at rest instead of about $29
   * for an on-demand stream; 1 MB/s or 1,000 records/s in), on-demand capacity otherwise
   */
  readonly shardCount?: number;
  /**
   * Stream retention, 24 hours to 365 days.
   * @default 24 hours
   */
  readonly retention?: Duration;
  /**
   * Firehose buffer interval, 0 to 900 seconds.
   * @default 300 seconds
   */
  readonly bufferInterval?: Duration;
  /**
   * Firehose buffer size, 1 to 128 MiB (64 MiB at least with Parquet conversion).
   * @default 64 MiB with Parquet conversion, 5 MiB otherwise
   */
  readonly bufferSize?: Size;
  /**
   * A record-transformation Lambda handler (TypeScript or JavaScript file), bundled with esbuild.
   * @default no transformation
   */
  readonly transformation?: TransformationOptions;
}

/** The record-transformation Lambda of a streaming pipeline. */
export interface TransformationOptions {
  /** Path of the handler file. */
  readonly entry: string;
  /**
   * Exported handler function.
   * @default 'handler'
   */
  readonly handler?: string;
  /**
   * Function timeout, 1 second to 5 minutes.
   * @default 1 minute
   */
  readonly timeout?: Duration;
  /**
   * Memory, 128 to 10240 MiB.
   * @default 256
   */
  readonly memorySize?: number;
}

/** Props of {@link EtlPipeline}. At least one of `batch` and `streaming` is required. */
export interface EtlPipelineProps {
  /** The lakehouse the pipeline reads and writes. */
  readonly lakehouse: IDataLakehouse;
  /**
   * Batch ETL.
   * @default no batch part
   */
  readonly batch?: BatchOptions;
  /**
   * Streaming ingestion.
   * @default no streaming part
   */
  readonly streaming?: StreamingOptions;
  /**
   * Your own KMS key (bring your own) for the pipeline's operational resources: the alert topic,
   * every log group (Glue job, orchestration, Firehose delivery, transformation), the Glue
   * security configuration's CloudWatch Logs and job bookmark encryption, and the Kinesis stream.
   * Data written into the lakehouse stays encrypted with the lakehouse key (zone default
   * encryption, the Glue security configuration's S3 encryption, Firehose's S3 encryption). The
   * Glue role and the Firehose role are granted on it. The pipeline adds to its key policy: CloudWatch
   * Logs (`logs.<region>.amazonaws.com`, for log groups of this account) and EventBridge
   * (`events.amazonaws.com`, for the alert topic); on an imported key (`kms.Key.fromKeyArn`) they
   * cannot be added: a warning names them.
   * @default the lakehouse's key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Topic that receives failure alerts (failed, timed-out or aborted runs, including data-quality failures).
   * @default a new topic encrypted with `encryptionKey`
   */
  readonly alertTopic?: sns.ITopic;
  /**
   * Maximum duration of one orchestrated run.
   * @default 6 hours
   */
  readonly runTimeout?: Duration;
}

/** The documented defaults, in one place. */
export const ETL_DEFAULTS = {
  /** Shards of a stream under the dev profile (other profiles: on-demand). */
  devShardCount: 1,
  glueVersion: GlueVersion.V5_0,
  workerType: GlueWorkerType.G_1X,
  numberOfWorkers: 2,
  jobTimeout: Duration.hours(2),
  dataQualityTimeout: Duration.minutes(30),
  runTimeout: Duration.hours(6),
  streamRetention: Duration.hours(24),
  bufferInterval: Duration.seconds(300),
  bufferSizeParquet: Size.mebibytes(64),
  bufferSizeJson: Size.mebibytes(5),
  streamPrefix: 'stream/',
  transformationHandler: 'handler',
  transformationTimeout: Duration.minutes(1),
  transformationMemory: 256,
} as const;
