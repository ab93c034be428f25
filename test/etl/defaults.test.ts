import { Match, Template } from 'aws-cdk-lib/assertions';
import { ETL_DEFAULTS, EtlPipeline, LakehouseZone } from '../../lib';
import { SKIP_BUNDLING, testStack } from '../helpers/app';
import { documentedDefaults } from '../helpers/docs';
import { JOB_SCRIPT, RULESET, TRANSFORM, pipelineLakehouse, stateMachineDefinition } from '../helpers/etl';

const DOCS = documentedDefaults('lib/etl/etl-pipeline-props.ts');

describe('EtlPipeline documented defaults are the ones used', () => {
  test('the docs state the values in ETL_DEFAULTS', () => {
    expect(DOCS.get('BatchOptions.glueVersion')).toBe(`GlueVersion.V${ETL_DEFAULTS.glueVersion.name.replace('.', '_')}`);
    expect(DOCS.get('BatchOptions.workerType')).toBe(`GlueWorkerType.${ETL_DEFAULTS.workerType.name.replace('.', '_')}`);
    expect(DOCS.get('BatchOptions.numberOfWorkers')).toBe(String(ETL_DEFAULTS.numberOfWorkers));
    expect(DOCS.get('BatchOptions.timeout')).toBe(`${ETL_DEFAULTS.jobTimeout.toHours()} hours`);
    expect(DOCS.get('DataQualityOptions.timeout')).toBe(`${ETL_DEFAULTS.dataQualityTimeout.toMinutes()} minutes`);
    expect(DOCS.get('EtlPipelineProps.runTimeout')).toBe(`${ETL_DEFAULTS.runTimeout.toHours()} hours`);
    expect(DOCS.get('StreamingOptions.retention')).toBe(`${ETL_DEFAULTS.streamRetention.toHours()} hours`);
    expect(DOCS.get('StreamingOptions.bufferInterval')).toBe(`${ETL_DEFAULTS.bufferInterval.toSeconds()} seconds`);
    expect(DOCS.get('StreamingOptions.bufferSize')).toBe(
      `${ETL_DEFAULTS.bufferSizeParquet.toMebibytes()} MiB with Parquet conversion, ${ETL_DEFAULTS.bufferSizeJson.toMebibytes()} MiB otherwise`);
    expect(DOCS.get('StreamingOptions.prefix')).toBe(`\`<table>/\` with \`table\`, otherwise \`${ETL_DEFAULTS.streamPrefix}\``);
    expect(DOCS.get('StreamingOptions.zone')).toBe('LakehouseZone.RAW');
    expect(DOCS.get('TransformationOptions.handler')).toBe(`'${ETL_DEFAULTS.transformationHandler}'`);
    expect(DOCS.get('TransformationOptions.timeout')).toBe(`${ETL_DEFAULTS.transformationTimeout.toMinutes()} minute`);
    expect(DOCS.get('TransformationOptions.memorySize')).toBe(String(ETL_DEFAULTS.transformationMemory));
  });

  test('a pipeline with only required props synthesizes exactly those defaults', () => {
    const stack = testStack({ context: SKIP_BUNDLING });
    const lakehouse = pipelineLakehouse(stack);
    new EtlPipeline(stack, 'Batch', {
      lakehouse,
      batch: { script: JOB_SCRIPT, source: { zone: LakehouseZone.RAW, table: 'events' }, target: { zone: LakehouseZone.CURATED, table: 'clean' }, dataQuality: { ruleset: RULESET } },
    });
    new EtlPipeline(stack, 'Stream', { lakehouse, streaming: { transformation: { entry: TRANSFORM } } });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::Glue::Job', {
      GlueVersion: ETL_DEFAULTS.glueVersion.name,
      WorkerType: ETL_DEFAULTS.workerType.name,
      NumberOfWorkers: ETL_DEFAULTS.numberOfWorkers,
      Timeout: ETL_DEFAULTS.jobTimeout.toMinutes(),
    });
    const def = stateMachineDefinition(t);
    expect(def.TimeoutSeconds).toBe(ETL_DEFAULTS.runTimeout.toSeconds());
    expect((def.States.StartDataQuality.Parameters as { Timeout: number }).Timeout).toBe(ETL_DEFAULTS.dataQualityTimeout.toMinutes());
    t.hasResourceProperties('AWS::Kinesis::Stream', { RetentionPeriodHours: ETL_DEFAULTS.streamRetention.toHours(), StreamModeDetails: { StreamMode: 'ON_DEMAND' } });
    t.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', { ExtendedS3DestinationConfiguration: {
      BucketARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('LakeRawBucket'), 'Arn'] },
      Prefix: `${ETL_DEFAULTS.streamPrefix}dt=!{timestamp:yyyy-MM-dd}/`,
      BufferingHints: { IntervalInSeconds: ETL_DEFAULTS.bufferInterval.toSeconds(), SizeInMBs: ETL_DEFAULTS.bufferSizeJson.toMebibytes() },
    } });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: `index.${ETL_DEFAULTS.transformationHandler}`,
      Timeout: ETL_DEFAULTS.transformationTimeout.toSeconds(),
      MemorySize: ETL_DEFAULTS.transformationMemory,
    });
  });
});
