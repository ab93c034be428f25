import * as path from 'path';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ColumnType, DataLakehouse, LakehouseZone, TableFormat } from '../../lib';

export const JOB_SCRIPT = path.join(__dirname, '..', 'fixtures', 'job.py');
export const TRANSFORM = path.join(__dirname, '..', 'fixtures', 'transform.ts');
export const RULESET = 'Rules = [ RowCount > 0, IsComplete "id" ]';

const columns = [{ name: 'id', type: ColumnType.STRING }, { name: 'value', type: ColumnType.DOUBLE }];

/** A lakehouse with a Parquet table per zone plus an Iceberg table in curated, for pipeline tests. */
export function pipelineLakehouse(stack: Stack): DataLakehouse {
  return new DataLakehouse(stack, 'Lake', {
    tables: [
      { name: 'events', zone: LakehouseZone.RAW, columns, partitionKeys: [{ name: 'dt', type: ColumnType.STRING }] },
      { name: 'clean', zone: LakehouseZone.CURATED, columns, partitionKeys: [{ name: 'dt', type: ColumnType.STRING }] },
      { name: 'features', zone: LakehouseZone.CURATED, format: TableFormat.ICEBERG, columns },
    ],
  });
}

/**
 * The state machine definition as JSON, with CloudFormation references rendered as `${LogicalId}`
 * so that the states, retries and parameters can be asserted on directly.
 */
export function stateMachineDefinition(template: Template, logicalId?: RegExp): { StartAt: string; States: Record<string, Record<string, unknown>>; TimeoutSeconds?: number } {
  const machines = Object.entries(template.findResources('AWS::StepFunctions::StateMachine'))
    .filter(([id]) => !logicalId || logicalId.test(id)).map(([, m]) => m);
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const def = machines[0].Properties.DefinitionString as string | { 'Fn::Join': [string, unknown[]] };
  const text = typeof def === 'string' ? def : def['Fn::Join'][1].map((p) => {
    if (typeof p === 'string') return p;
    const o = p as Record<string, unknown>;
    if ('Ref' in o) return o.Ref === 'AWS::Partition' ? 'aws' : `\${${String(o.Ref)}}`;
    if ('Fn::GetAtt' in o) return `\${${(o['Fn::GetAtt'] as string[]).join('.')}}`;
    return '${token}';
  }).join('');
  return JSON.parse(text);
}
