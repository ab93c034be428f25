import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { applyRemovalPolicy } from '../core/removal';
import { ColumnType } from './column-type';
import { LakehouseZone } from './zone';

/** Storage format of a lakehouse table. */
export enum TableFormat {
  /** Hive-style external table over Parquet files (Snappy compressed). */
  PARQUET = 'parquet',
  /** Apache Iceberg v2 table created through the Glue Data Catalog. */
  ICEBERG = 'iceberg',
}

/** Time unit of a date partition projection's interval (Athena `projection.<column>.interval.unit`). */
export enum ProjectionIntervalUnit {
  YEARS = 'YEARS',
  MONTHS = 'MONTHS',
  WEEKS = 'WEEKS',
  DAYS = 'DAYS',
  HOURS = 'HOURS',
  MINUTES = 'MINUTES',
  SECONDS = 'SECONDS',
}

/**
 * Athena partition projection of a date-valued string partition key, for Parquet tables whose
 * partitions are written under `<table location><column>=<value>/` by something that does not
 * register them in the catalog (Firehose's `dt=!{timestamp:yyyy-MM-dd}/` prefixes, for example).
 *
 * Athena then computes the partitions from table properties instead of reading catalog partitions
 * ("Use partition projection with Amazon Athena": `projection.enabled`, `projection.<column>.type`
 * = `date`, `.format`, `.range`, `.interval`, `.interval.unit` and `storage.location.template`).
 *
 * Only Athena uses projection: the same page notes that other readers (Redshift Spectrum, Athena
 * for Spark, EMR, and Glue ETL jobs, which read partitions through the Data Catalog) see the
 * standard partition metadata only. A Glue job that reads such a table must read its S3 location
 * directly (EtlPipeline passes it as `--source_path`).
 */
export interface DatePartitionProjection {
  /** The partition key to project: a `string` partition key of the table. */
  readonly column: string;
  /**
   * First partition of the range: a date in `format`, or a relative date such as `NOW-2YEARS`.
   * @example '2026-01-01'
   */
  readonly start: string;
  /**
   * Last partition of the range: a date in `format`, or a relative date.
   * @default 'NOW'
   */
  readonly end?: string;
  /**
   * The Java DateTimeFormatter pattern of the partition values.
   * @default 'yyyy-MM-dd'
   */
  readonly format?: string;
  /**
   * Distance between partitions, in `intervalUnit`s: a positive integer.
   * @default 1
   */
  readonly interval?: number;
  /**
   * Unit of `interval`.
   * @default ProjectionIntervalUnit.DAYS
   */
  readonly intervalUnit?: ProjectionIntervalUnit;
}

/** Defaults of {@link DatePartitionProjection}. */
export const PROJECTION_DEFAULTS = {
  end: 'NOW',
  format: 'yyyy-MM-dd',
  interval: 1,
  intervalUnit: ProjectionIntervalUnit.DAYS,
} as const;

/** One column of a table. */
export interface Column {
  /** Lowercase letters, digits and underscores, starting with a letter or underscore. */
  readonly name: string;
  /** The column type. */
  readonly type: ColumnType;
  /**
   * Free-text description.
   * @default none
   */
  readonly comment?: string;
}

/** A table declaration, as passed to `DataLakehouse` props or `addTable`. */
export interface LakehouseTableOptions {
  /** Table name: lowercase letters, digits and underscores, unique within its zone's database. */
  readonly name: string;
  /** The zone whose bucket holds the data and whose database holds the table. */
  readonly zone: LakehouseZone;
  /** Data columns (at least one). */
  readonly columns: Column[];
  /**
   * Partition columns. For Parquet they become Hive partition keys; for Iceberg they are added to
   * the schema and partitioned with the identity transform.
   * @default no partitioning
   */
  readonly partitionKeys?: Column[];
  /**
   * Storage format.
   * @default TableFormat.PARQUET
   */
  readonly format?: TableFormat;
  /**
   * Description shown in the catalog.
   * @default none
   */
  readonly description?: string;
  /**
   * Key prefix of the table's data in the zone bucket, ending with `/`.
   * @default `<name>/`
   */
  readonly prefix?: string;
  /**
   * Athena partition projection of a date partition key (Parquet tables only; the table must have
   * exactly that one partition key). Use it for tables written by Firehose or any writer that does
   * not add catalog partitions; Athena then finds new partitions without a crawler.
   * @default no projection: Athena reads the partitions registered in the catalog
   */
  readonly partitionProjection?: DatePartitionProjection;
}

/** Props of {@link LakehouseTable}; normally created through `DataLakehouse`. */
export interface LakehouseTableProps extends LakehouseTableOptions {
  /** The zone bucket. */
  readonly bucket: s3.IBucket;
  /** The zone's Glue database name. */
  readonly databaseName: string;
  /** The removal policy for the table definition. */
  readonly removalPolicy: RemovalPolicy;
}

const PARQUET_INPUT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat';
const PARQUET_OUTPUT = 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat';
const PARQUET_SERDE = 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe';

/** A lakehouse table as other constructs see it (created here, or described for an imported lakehouse). */
export interface ILakehouseTable {
  /** The table name. */
  readonly tableName: string;
  /** The Glue database that holds the table. */
  readonly databaseName: string;
  /** The zone the table lives in. */
  readonly zone: LakehouseZone;
  /** The storage format. */
  readonly format: TableFormat;
  /** Data columns. */
  readonly columns: readonly Column[];
  /** Partition columns. */
  readonly partitionKeys: readonly Column[];
  /** `s3://bucket/prefix/` of the table's data. */
  readonly location: string;
  /** ARN of the table in the Glue Data Catalog. */
  readonly tableArn: string;
}

/**
 * A table as its options describe it (defaults applied, location and catalog ARN derived): what
 * {@link LakehouseTable} exposes, and all an imported lakehouse knows of a table it did not create.
 * @internal
 */
export function describeTable(scope: IConstruct, o: LakehouseTableOptions, bucket: s3.IBucket, databaseName: string): ILakehouseTable {
  return {
    tableName: o.name,
    databaseName,
    zone: o.zone,
    format: o.format ?? TableFormat.PARQUET,
    columns: o.columns,
    partitionKeys: o.partitionKeys ?? [],
    location: `s3://${bucket.bucketName}/${o.prefix ?? `${o.name}/`}`,
    tableArn: Stack.of(scope).formatArn({ service: 'glue', resource: 'table', resourceName: `${databaseName}/${o.name}` }),
  };
}

/**
 * A Glue Data Catalog table over a lakehouse zone, in Parquet or Iceberg format.
 *
 * Props are validated by the owning `DataLakehouse`; this construct only renders them.
 */
export class LakehouseTable extends Construct implements ILakehouseTable {
  /** The table name. */
  public readonly tableName: string;
  /** The Glue database that holds the table. */
  public readonly databaseName: string;
  /** The zone the table lives in. */
  public readonly zone: LakehouseZone;
  /** The storage format. */
  public readonly format: TableFormat;
  /** Data columns. */
  public readonly columns: readonly Column[];
  /** Partition columns. */
  public readonly partitionKeys: readonly Column[];
  /** `s3://bucket/prefix/` of the table's data. */
  public readonly location: string;
  /** ARN of the table in the Glue Data Catalog. */
  public readonly tableArn: string;
  /** The underlying CloudFormation resource. */
  public readonly resource: glue.CfnTable;

  constructor(scope: Construct, id: string, props: LakehouseTableProps) {
    super(scope, id);
    const d = describeTable(this, props, props.bucket, props.databaseName);
    this.tableName = d.tableName;
    this.databaseName = d.databaseName;
    this.zone = d.zone;
    this.format = d.format;
    this.columns = d.columns;
    this.partitionKeys = d.partitionKeys;
    this.location = d.location;
    this.tableArn = d.tableArn;

    this.resource = this.format === TableFormat.ICEBERG
      ? this.renderIceberg(props)
      : this.renderParquet(props);
    applyRemovalPolicy(this.resource, props.removalPolicy);
  }

  private renderParquet(props: LakehouseTableProps): glue.CfnTable {
    const column = (c: Column) => ({ name: c.name, type: c.type.typeString, comment: c.comment });
    return new glue.CfnTable(this, 'Resource', {
      catalogId: Stack.of(this).account,
      databaseName: props.databaseName,
      tableInput: {
        name: props.name,
        description: props.description,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          'classification': 'parquet',
          'parquet.compression': 'SNAPPY',
          'EXTERNAL': 'TRUE',
          ...(props.partitionProjection ? renderProjection(props.partitionProjection, this.location) : {}),
        },
        partitionKeys: this.partitionKeys.length > 0 ? this.partitionKeys.map(column) : undefined,
        storageDescriptor: {
          location: this.location,
          columns: this.columns.map(column),
          inputFormat: PARQUET_INPUT,
          outputFormat: PARQUET_OUTPUT,
          compressed: true,
          serdeInfo: { serializationLibrary: PARQUET_SERDE, parameters: { 'serialization.format': '1' } },
        },
      },
    });
  }

  private renderIceberg(props: LakehouseTableProps): glue.CfnTable {
    const all = [...this.columns, ...this.partitionKeys];
    const fields = all.map((c, i) => ({
      id: i + 1,
      name: c.name,
      // Validation guarantees every Iceberg column has an Iceberg type.
      type: c.type.icebergType ?? c.type.typeString,
      required: false,
      doc: c.comment,
    }));
    const partitionFields = this.partitionKeys.map((c, i) => ({
      name: c.name,
      sourceId: this.columns.length + i + 1,
      transform: 'identity',
      fieldId: 1000 + i,
    }));
    return new glue.CfnTable(this, 'Resource', {
      catalogId: Stack.of(this).account,
      databaseName: props.databaseName,
      tableInput: {
        name: props.name,
        description: props.description,
      },
      openTableFormatInput: {
        icebergInput: {
          metadataOperation: 'CREATE',
          version: '2',
          icebergTableInput: {
            location: this.location,
            schema: { type: 'struct', schemaId: 0, fields },
            partitionSpec: partitionFields.length > 0 ? { specId: 0, fields: partitionFields } : undefined,
            properties: { 'write.format.default': 'parquet', 'write.parquet.compression-codec': 'zstd' },
          },
        },
      },
    });
  }
}

/**
 * The table parameters of a date projection, as "Use partition projection with Amazon Athena" and
 * "Supported types for partition projection" (date type) document them; `storage.location.template`
 * maps each value to `<location><column>=<value>/`, the Hive layout Firehose writes.
 */
function renderProjection(p: DatePartitionProjection, location: string): Record<string, string> {
  const c = p.column;
  return {
    'projection.enabled': 'true',
    [`projection.${c}.type`]: 'date',
    [`projection.${c}.format`]: p.format ?? PROJECTION_DEFAULTS.format,
    [`projection.${c}.range`]: `${p.start},${p.end ?? PROJECTION_DEFAULTS.end}`,
    [`projection.${c}.interval`]: String(p.interval ?? PROJECTION_DEFAULTS.interval),
    [`projection.${c}.interval.unit`]: p.intervalUnit ?? PROJECTION_DEFAULTS.intervalUnit,
    'storage.location.template': `${location}${c}=\${${c}}/`,
  };
}
