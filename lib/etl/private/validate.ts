import * as fs from 'fs';
import { Duration, SizeRoundingBehavior, Token } from 'aws-cdk-lib';
import { Validator } from '../../core/errors';
import { esbuildProblem } from './esbuild';
import { scheduleProblem } from '../../core/schedule';
import { IDataLakehouse } from '../../lakehouse/data-lakehouse';
import { TableFormat } from '../../lakehouse/table';
import { ALL_ZONES, LakehouseZone } from '../../lakehouse/zone';
import { BatchOptions, ETL_DEFAULTS, EtlPipelineProps, GlueVersion, GlueWorkerType, StreamingOptions, ZoneTable } from '../etl-pipeline-props';

/** Arguments the pipeline sets itself; user arguments may not override them. */
export const RESERVED_ARGUMENTS = [
  '--job-bookmark-option', '--enable-continuous-cloudwatch-log', '--continuous-log-logGroup', '--enable-metrics',
  '--enable-observability-metrics', '--enable-glue-datacatalog', '--source_database', '--source_table',
  '--target_database', '--target_table', '--target_path', '--TempDir', '--job-language', '--source_path',
  '--custom-logGroup-prefix', '--run_id', '--run_partition_key',
];

/** Arguments the pipeline sets for Iceberg targets ("Using the Iceberg framework in AWS Glue"). */
export const ICEBERG_ARGUMENTS = ['--datalake-formats', '--conf'];

const PREFIX = /^(?:[a-zA-Z0-9!_.*'()=-]+\/)+$/;

function seconds(d: Duration | undefined): number | undefined {
  return d === undefined || d.isUnresolved() ? undefined : d.toSeconds({ integral: false });
}

function checkDuration(v: Validator, d: Duration | undefined, minS: number, maxS: number, property: string, allowed: string): void {
  const s = seconds(d);
  if (s === undefined) return;
  v.check(s >= minS && s <= maxS, property, d, allowed);
}

function checkZoneTable(v: Validator, lake: IDataLakehouse, zt: ZoneTable, path: string): void {
  const zoneOk = v.check(lake.hasZone(zt.zone), `${path}.zone`, zt.zone,
    `is not a zone of lakehouse ${lake.node.path}; allowed: ${lake.zones.join(', ')}`);
  if (zoneOk) {
    v.check(lake.findTable(zt.zone, zt.table) !== undefined, `${path}.table`, zt.table,
      `is not a table declared in the ${zt.zone} zone of lakehouse ${lake.node.path}`);
  }
}

function validateBatch(v: Validator, lake: IDataLakehouse, b: BatchOptions): void {
  v.check(typeof b.script === 'string' && fs.existsSync(b.script) && fs.statSync(b.script).isFile(), 'batch.script', b.script,
    'must be the path of an existing script file');
  checkZoneTable(v, lake, b.source, 'batch.source');
  checkZoneTable(v, lake, b.target, 'batch.target');
  const glueVersion = (b.glueVersion ?? ETL_DEFAULTS.glueVersion).name;
  v.check(GlueVersion.SUPPORTED.includes(glueVersion), 'batch.glueVersion', glueVersion, `must be one of ${GlueVersion.SUPPORTED.join(', ')}`);
  const worker = (b.workerType ?? ETL_DEFAULTS.workerType).name;
  v.check(GlueWorkerType.SUPPORTED.includes(worker), 'batch.workerType', worker, `must be one of ${GlueWorkerType.SUPPORTED.join(', ')}`);
  const workers = b.numberOfWorkers;
  if (workers !== undefined && !Token.isUnresolved(workers)) {
    v.check(Number.isInteger(workers) && workers >= 2 && workers <= 299, 'batch.numberOfWorkers', workers, 'must be an integer from 2 to 299');
  }
  checkDuration(v, b.timeout, 60, 48 * 3600, 'batch.timeout', 'must be between 1 minute and 48 hours');
  const timeoutS = seconds(b.timeout);
  if (timeoutS !== undefined) v.check(timeoutS % 60 === 0, 'batch.timeout', b.timeout, 'must be a whole number of minutes');
  const ruleset = b.dataQuality?.ruleset ?? '';
  v.check(ruleset.trim().length > 0, 'batch.dataQuality.ruleset', ruleset, 'must not be empty: give at least one DQDL rule');
  if (ruleset.trim().length > 0) {
    v.check(/^Rules\s*=\s*\[[\s\S]*\S[\s\S]*\]\s*$/.test(ruleset.trim()), 'batch.dataQuality.ruleset', ruleset.slice(0, 60),
      'must be DQDL of the form "Rules = [ <rule>, ... ]" with at least one rule');
    v.check(ruleset.length <= 65536, 'batch.dataQuality.ruleset', `${ruleset.length} characters`, 'must be at most 65536 characters');
  }
  checkDuration(v, b.dataQuality?.timeout, 60, 24 * 3600, 'batch.dataQuality.timeout', 'must be between 1 minute and 24 hours');
  const target = lake.hasZone(b.target.zone) ? lake.findTable(b.target.zone, b.target.table) : undefined;
  const iceberg = target?.format === TableFormat.ICEBERG;
  for (const key of Object.keys(b.arguments ?? {})) {
    v.check(key.startsWith('--'), `batch.arguments.${key}`, key, 'argument names must start with "--"');
    v.check(!RESERVED_ARGUMENTS.includes(key), `batch.arguments.${key}`, key, 'is set by the pipeline and cannot be overridden');
    if (iceberg) {
      v.check(!ICEBERG_ARGUMENTS.includes(key), `batch.arguments.${key}`, key, 'is set by the pipeline for an Iceberg target and cannot be overridden');
    }
  }
  const runKey = b.dataQuality?.runPartitionKey;
  if (runKey !== undefined && target) {
    const key = target.partitionKeys.find((c) => c.name === runKey);
    v.check(target.format === TableFormat.PARQUET, 'batch.dataQuality.runPartitionKey', runKey,
      'is only supported for Parquet targets (an Iceberg target is gated as a whole: each run is one snapshot)');
    v.check(key !== undefined && key.type.typeString === 'string', 'batch.dataQuality.runPartitionKey', runKey,
      `must be a string partition key of ${b.target.zone}.${b.target.table} (${target.partitionKeys.map((c) => `${c.name} ${c.type.typeString}`).join(', ') || 'none declared'})`);
  }
  if (b.schedule !== undefined && !Token.isUnresolved(b.schedule)) {
    const p = scheduleProblem(b.schedule);
    v.check(p === undefined, 'batch.schedule', b.schedule, p ?? '');
  }
  if (b.triggerOnNewObjects !== undefined && b.triggerOnNewObjects !== '') {
    v.matches(b.triggerOnNewObjects, PREFIX, 'batch.triggerOnNewObjects', 'must be "" or a key prefix ending with "/"');
  }
}

function validateStreaming(v: Validator, lake: IDataLakehouse, s: StreamingOptions, bundlingRequired: boolean): void {
  const zone = s.zone ?? LakehouseZone.RAW;
  const zoneOk = v.check(lake.hasZone(zone), 'streaming.zone', zone, `is not a zone of lakehouse ${lake.node.path}; allowed: ${ALL_ZONES.join(', ')}`);
  if (s.table !== undefined && zoneOk) {
    const table = lake.findTable(zone, s.table);
    if (v.check(table !== undefined, 'streaming.table', s.table, `is not a table declared in the ${zone} zone of lakehouse ${lake.node.path}`)) {
      v.check(table!.format === TableFormat.PARQUET, 'streaming.table', s.table, 'must be a Parquet table for Firehose record-format conversion');
    }
  }
  v.matches(s.prefix, PREFIX, 'streaming.prefix', 'must be a key prefix ending with "/" (no leading "/")');
  if (s.shardCount !== undefined && !Token.isUnresolved(s.shardCount)) {
    v.check(Number.isInteger(s.shardCount) && s.shardCount >= 1 && s.shardCount <= 10000, 'streaming.shardCount', s.shardCount,
      'must be an integer from 1 to 10000 (omit it for on-demand capacity)');
  }
  checkDuration(v, s.retention, 24 * 3600, 365 * 24 * 3600, 'streaming.retention', 'must be between 24 hours and 365 days');
  checkDuration(v, s.bufferInterval, 0, 900, 'streaming.bufferInterval', 'must be between 0 and 900 seconds (Firehose limit)');
  const size = s.bufferSize;
  if (size && !size.isUnresolved()) {
    const mib = size.toMebibytes({ rounding: SizeRoundingBehavior.NONE });
    const min = s.table ? 64 : 1;
    v.check(Number.isInteger(mib) && mib >= min && mib <= 128, 'streaming.bufferSize', size,
      `must be a whole number of MiB from ${min} to 128${s.table ? ' (Parquet conversion needs at least 64 MiB)' : ''} (Firehose limit)`);
  }
  const t = s.transformation;
  if (t) {
    v.check(fs.existsSync(t.entry), 'streaming.transformation.entry', t.entry, 'must be the path of an existing handler file');
    const esbuild = bundlingRequired ? esbuildProblem() : undefined;
    v.check(esbuild === undefined, 'streaming.transformation', t.entry, esbuild ?? '');
    checkDuration(v, t.timeout, 1, 300, 'streaming.transformation.timeout', 'must be between 1 second and 5 minutes');
    if (t.memorySize !== undefined) v.inRange(t.memorySize, 128, 10240, 'streaming.transformation.memorySize');
  }
}

/** Validates pipeline props against the lakehouse they target (`bundlingRequired`: the stack bundles assets in this synth). */
export function validateEtlProps(v: Validator, props: EtlPipelineProps, bundlingRequired = true): void {
  v.check(props.batch !== undefined || props.streaming !== undefined, 'batch/streaming', 'neither', 'at least one of batch and streaming is required');
  if (props.batch) validateBatch(v, props.lakehouse, props.batch);
  if (props.streaming) validateStreaming(v, props.lakehouse, props.streaming, bundlingRequired);
  checkDuration(v, props.runTimeout, 60, 7 * 24 * 3600, 'runTimeout', 'must be between 1 minute and 7 days');
}

