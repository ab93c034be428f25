import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ColumnType, DataLakehouse, EtlPipeline, LakehouseZone } from '../../lib';
import { SKIP_BUNDLING, TEST_ENV, testStack } from '../helpers/app';
import { JOB_SCRIPT, RULESET } from '../helpers/etl';

// Item 13: PrincipalPermissions created in parallel fail with AlreadyExists
// (aws-cloudformation/cloudformation-coverage-roadmap#2500); every one of a stack must be ordered.
const columns = [{ name: 'id', type: ColumnType.STRING }];
const dt = { name: 'dt', type: ColumnType.STRING };

function principalPermissionsOrder(template: Template): { ids: string[]; comparable: (a: string, b: string) => boolean } {
  const resources = template.findResources('AWS::LakeFormation::PrincipalPermissions');
  const ids = Object.keys(resources);
  const deps = new Map(ids.map((id) => [id, ([] as string[]).concat(resources[id].DependsOn ?? []).filter((d) => d in resources)]));
  const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
    if (seen.has(from)) return false;
    seen.add(from);
    return deps.get(from)!.some((d) => d === to || reaches(d, to, seen));
  };
  return { ids, comparable: (a, b) => reaches(a, b) !== reaches(b, a) };
}

describe('Lake Formation grant order', () => {
  test('the PrincipalPermissions of a lakehouse, a batch pipeline, a streaming pipeline and a grantRead form one total order', () => {
    const stack = testStack({ context: SKIP_BUNDLING });
    const lakehouse = new DataLakehouse(stack, 'Lake', {
      tables: [
        { name: 'events', zone: LakehouseZone.RAW, columns, partitionKeys: [dt], partitionProjection: { column: 'dt', start: '2026-01-01' } },
        { name: 'clean', zone: LakehouseZone.CURATED, columns, partitionKeys: [dt] },
      ],
    });
    new EtlPipeline(stack, 'Batch', {
      lakehouse,
      batch: { script: JOB_SCRIPT, source: { zone: LakehouseZone.RAW, table: 'events' }, target: { zone: LakehouseZone.CURATED, table: 'clean' }, dataQuality: { ruleset: RULESET } },
    });
    new EtlPipeline(stack, 'Streaming', { lakehouse, streaming: { table: 'events' } });
    const analyst = new iam.Role(stack, 'Analyst', { assumedBy: new iam.AccountRootPrincipal() });
    lakehouse.grantRead(analyst, LakehouseZone.CURATED);

    const { ids, comparable } = principalPermissionsOrder(Template.fromStack(stack));
    // Batch: read raw (2) + write curated (3); streaming: read raw (2); analyst: read curated (2).
    expect(ids.length).toBe(9);
    for (const a of ids) {
      for (const b of ids) {
        if (a !== b) expect([a, b, comparable(a, b)]).toEqual([a, b, true]);
      }
    }
  });

  test('grants hosted in another stack (the grantee\'s) are ordered within that stack', () => {
    const lakeStack = testStack();
    const lakehouse = new DataLakehouse(lakeStack, 'Lake');
    const other = new Stack(lakeStack.node.scope!, 'Consumers', { env: TEST_ENV });
    for (const name of ['A', 'B']) {
      lakehouse.grantWrite(new iam.Role(other, name, { assumedBy: new iam.AccountRootPrincipal() }), LakehouseZone.CURATED);
    }
    const { ids, comparable } = principalPermissionsOrder(Template.fromStack(other));
    expect(ids.length).toBe(6);
    for (const a of ids) for (const b of ids) if (a !== b) expect(comparable(a, b)).toBe(true);
  });
});
