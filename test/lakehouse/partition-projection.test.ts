import { Template } from 'aws-cdk-lib/assertions';
import { ColumnType, DataLakehouse, LakehouseTableOptions, LakehouseZone, ProjectionIntervalUnit, TableFormat } from '../../lib';
import { testStack } from '../helpers/app';

// Item 4a: Firehose writes dt=YYYY-MM-DD/ prefixes that nobody registers as partitions; with
// projection Athena computes them from table properties ("Use partition projection with Amazon
// Athena"; date type in "Supported types for partition projection").
const columns = [{ name: 'id', type: ColumnType.STRING }];
const dt = { name: 'dt', type: ColumnType.STRING };

function parameters(table: Partial<LakehouseTableOptions>): Record<string, unknown> {
  const stack = testStack();
  new DataLakehouse(stack, 'Lake', { tables: [{ name: 'events', zone: LakehouseZone.RAW, columns, partitionKeys: [dt], ...table }] });
  const t = Object.values(Template.fromStack(stack).findResources('AWS::Glue::Table'))[0];
  return t.Properties.TableInput.Parameters;
}

const template = (prefix: string) => ({ 'Fn::Join': ['', ['s3://', { Ref: expect.stringMatching(/^LakeRawBucket/) }, `${prefix}dt=\${dt}/`]] });

describe('partition projection', () => {
  test('renders the documented date-projection table parameters with their defaults', () => {
    expect(parameters({ partitionProjection: { column: 'dt', start: '2026-01-01' } })).toEqual({
      'classification': 'parquet',
      'parquet.compression': 'SNAPPY',
      'EXTERNAL': 'TRUE',
      'projection.enabled': 'true',
      'projection.dt.type': 'date',
      'projection.dt.format': 'yyyy-MM-dd',
      'projection.dt.range': '2026-01-01,NOW',
      'projection.dt.interval': '1',
      'projection.dt.interval.unit': 'DAYS',
      'storage.location.template': template('/events/'),
    });
  });

  test('takes a custom format, range, interval and prefix', () => {
    expect(parameters({
      prefix: 'stream/events/',
      partitionKeys: [{ name: 'hour', type: ColumnType.STRING }],
      partitionProjection: { column: 'hour', start: 'NOW-30DAYS', end: 'NOW+1HOURS', format: 'yyyy/MM/dd/HH', interval: 1, intervalUnit: ProjectionIntervalUnit.HOURS },
    })).toMatchObject({
      'projection.hour.format': 'yyyy/MM/dd/HH',
      'projection.hour.range': 'NOW-30DAYS,NOW+1HOURS',
      'projection.hour.interval.unit': 'HOURS',
      'storage.location.template': { 'Fn::Join': ['', ['s3://', expect.anything(), '/stream/events/hour=${hour}/']] },
    });
  });

  test('without projection the table keeps catalog partitions only', () => {
    expect(Object.keys(parameters({})).filter((k) => k.startsWith('projection') || k.startsWith('storage'))).toEqual([]);
  });

  test('fails when the projection does not fit the table', () => {
    const stack = testStack();
    expect(() => new DataLakehouse(stack, 'Lake', {
      tables: [
        { name: 'a', zone: LakehouseZone.RAW, columns, partitionKeys: [dt], partitionProjection: { column: 'day', start: '2026-01-01' } },
        { name: 'b', zone: LakehouseZone.RAW, columns, partitionKeys: [{ name: 'dt', type: ColumnType.DATE }], partitionProjection: { column: 'dt', start: '2026-01-01' } },
        { name: 'c', zone: LakehouseZone.RAW, columns, partitionKeys: [dt, { name: 'h', type: ColumnType.STRING }], partitionProjection: { column: 'dt', start: '2026-01-01' } },
        { name: 'd', zone: LakehouseZone.CURATED, format: TableFormat.ICEBERG, columns, partitionKeys: [dt], partitionProjection: { column: 'dt', start: '2026-01-01' } },
        { name: 'e', zone: LakehouseZone.RAW, columns, partitionKeys: [dt], partitionProjection: { column: 'dt', start: '01/01/2026', interval: 0 } },
        { name: 'f', zone: LakehouseZone.RAW, columns, partitionKeys: [dt], partitionProjection: { column: 'dt', start: '2026-01-01', intervalUnit: 'FORTNIGHTS' as ProjectionIntervalUnit } },
      ],
    })).toThrow(new RegExp([
      'tables\\[0\\]\\.partitionProjection\\.column.*day.*must be a partition key of the table \\(dt\\)',
      'tables\\[1\\]\\.partitionProjection\\.column.*dt date.*must be a string partition key',
      'tables\\[2\\]\\.partitionProjection.*dt,h.*exactly one partition key',
      'tables\\[3\\]\\.partitionProjection.*iceberg.*only supported on Parquet',
      'tables\\[4\\]\\.partitionProjection\\.start.*01/01/2026.*yyyy-MM-dd',
      'tables\\[4\\]\\.partitionProjection\\.interval.*0.*positive integer',
      'tables\\[5\\]\\.partitionProjection\\.intervalUnit.*FORTNIGHTS',
    ].join('[\\s\\S]*')));
  });
});
