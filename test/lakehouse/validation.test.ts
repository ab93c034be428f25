import { Duration, Size, Token } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import {
  ColumnType, DataLakehouse, DataLakehouseProps, LakehouseZone, ObjectLockMode, TableFormat, ValidationError,
} from '../../lib';
import { testStack } from '../helpers/app';

function errorOf(props: DataLakehouseProps): ValidationError {
  try {
    new DataLakehouse(testStack(), 'Lake', props);
  } catch (e) {
    if (e instanceof ValidationError) return e;
    throw e;
  }
  throw new Error('expected a ValidationError, but the construct was created');
}

const col = (name: string, type = ColumnType.STRING) => ({ name, type });

describe('DataLakehouse validation', () => {
  test('fails when a bucket name is not a valid S3 name', () => {
    expect(() => new DataLakehouse(testStack(), 'Lake', { zones: { raw: { bucketName: 'Bad_Name' } } }))
      .toThrow(/Test\/Lake[\s\S]*zones\.raw\.bucketName \("Bad_Name"\): must be 3-63 characters/);
  });

  test('fails when a bucket name uses a reserved prefix or two zones share a name', () => {
    const e = errorOf({ zones: { raw: { bucketName: 'xn--lake' }, curated: { bucketName: 'same-name' }, analytics: { bucketName: 'same-name' } } });
    expect(e.problems.map((p) => p.property)).toEqual(['zones.raw.bucketName', 'zones.analytics.bucketName']);
    expect(e.message).toMatch(/must differ from zones\.curated\.bucketName/);
  });

  test('fails when a database name is not a Glue name', () => {
    expect(() => new DataLakehouse(testStack(), 'Lake', { zones: { curated: { databaseName: 'Curated-DB' } } }))
      .toThrow(/zones\.curated\.databaseName \("Curated-DB"\): must be 1-255 lowercase letters/);
  });

  test('fails when lifecycle ages are out of order', () => {
    const e = errorOf({ zones: { raw: { lifecycle: { infrequentAccessAfter: Duration.days(60), glacierAfter: Duration.days(70), expireAfter: Duration.days(65) } } } });
    expect(e.message).toMatch(/zones\.raw\.lifecycle\.glacierAfter \(70 days\): must be at least 30 days after infrequentAccessAfter \(60 days\)/);
    expect(e.message).toMatch(/zones\.raw\.lifecycle\.expireAfter \(65 days\): must be later than every transition \(70 days\)/);
  });

  test('fails when Standard-IA comes before 30 days or an age is not whole days', () => {
    const e = errorOf({ zones: { analytics: { lifecycle: { infrequentAccessAfter: Duration.days(10), noncurrentVersionExpiration: Duration.hours(12) } } } });
    expect(e.problems.map((p) => p.property)).toEqual([
      'zones.analytics.lifecycle.noncurrentVersionExpiration', 'zones.analytics.lifecycle.infrequentAccessAfter',
    ]);
  });

  test('fails when Object Lock is set without versioning or outside the raw zone', () => {
    const lock = { mode: ObjectLockMode.GOVERNANCE, retention: Duration.days(30) };
    const e = errorOf({ zones: { raw: { objectLock: lock, versioned: false }, curated: { objectLock: lock } } });
    expect(e.message).toMatch(/zones\.raw\.versioned \(false\): must be true when objectLock is set \(Object Lock requires versioning\)/);
    expect(e.message).toMatch(/zones\.curated\.objectLock \("GOVERNANCE"\): is only supported on the raw zone/);
  });

  test('fails when the Object Lock retention is out of range', () => {
    expect(errorOf({ zones: { raw: { objectLock: { mode: ObjectLockMode.COMPLIANCE, retention: Duration.days(40000) } } } }).message)
      .toMatch(/zones\.raw\.objectLock\.retention \(40000 days\): must be a whole number of days between 1 and 36500/);
  });

  test('fails when a column type is unknown', () => {
    expect(() => new DataLakehouse(testStack(), 'Lake', {
      tables: [{ name: 't', zone: LakehouseZone.RAW, columns: [col('a'), col('b', ColumnType.custom('varchar2(10)'))] }],
    })).toThrow(/tables\[0\]\.columns\[1\]\.type \("varchar2\(10\)"\): is not a valid column type: unknown type "varchar2"/);
  });

  test('fails when a table name, column name or zone is invalid, or names repeat', () => {
    const e = errorOf({
      tables: [
        { name: 'Orders', zone: LakehouseZone.RAW, columns: [col('id')] },
        { name: 'dup', zone: 'bronze' as LakehouseZone, columns: [col('id')] },
        { name: 'ok', zone: LakehouseZone.RAW, columns: [col('id'), col('id')], partitionKeys: [col('nested', ColumnType.array(ColumnType.INT))] },
        { name: 'ok', zone: LakehouseZone.RAW, columns: [] },
      ],
    });
    expect(e.problems.map((p) => p.property)).toEqual([
      'tables[0].name', 'tables[1].zone', 'tables[2].columns[1].name', 'tables[2].partitionKeys[0].type',
      'tables[3].name', 'tables[3].columns',
    ]);
  });

  test('fails when an Iceberg table uses a type CloudFormation cannot declare for Iceberg', () => {
    expect(() => new DataLakehouse(testStack(), 'Lake', {
      tables: [{ name: 'i', zone: LakehouseZone.CURATED, format: TableFormat.ICEBERG, columns: [col('tags', ColumnType.map(ColumnType.STRING, ColumnType.INT))] }],
    })).toThrow(/tables\[0\]\.columns\[0\]\.type \("map<string,int>"\): has no Iceberg equivalent/);
  });

  test('fails when the bytes-scanned cutoff is below 10 MiB or a prefix is malformed', () => {
    const e = errorOf({ query: { bytesScannedCutoffPerQuery: Size.mebibytes(1), resultsPrefix: '/results' } });
    expect(e.problems.map((p) => p.property)).toEqual(['query.bytesScannedCutoffPerQuery', 'query.resultsPrefix']);
  });

  test('fails when a Lake Formation admin is not a role or user ARN', () => {
    expect(() => new DataLakehouse(testStack(), 'Lake', { lakeFormation: { admins: ['arn:aws:iam::123456789012:group/admins'] } }))
      .toThrow(/lakeFormation\.admins\[0\] \("arn:aws:iam::123456789012:group\/admins"\): must be the ARN of an IAM role or user/);
  });

  test('fails when the lakehouse name is invalid', () => {
    expect(() => new DataLakehouse(testStack(), 'Lake', { name: '9lives' })).toThrow(/name \("9lives"\): must be 1-32 lowercase/);
  });

  test('fails when addTable repeats a declared table', () => {
    const lake = new DataLakehouse(testStack(), 'Lake', { tables: [{ name: 'a', zone: LakehouseZone.RAW, columns: [col('x')] }] });
    expect(() => lake.addTable({ name: 'a', zone: LakehouseZone.RAW, columns: [col('y')] }))
      .toThrow(/addTable\(a\)\.name \("a"\): must be unique within the raw zone/);
  });

  test('reports every problem at once, naming the construct path', () => {
    const e = errorOf({ name: 'Bad', zones: { raw: { bucketName: 'B' } }, query: { resultsPrefix: 'x' } });
    expect(e.constructPath).toBe('Test/Lake');
    expect(e.problems).toHaveLength(3);
    expect(e.message).toMatch(/^Invalid configuration for Test\/Lake \(3 problems\)/);
  });

  test('does not validate unresolved tokens', () => {
    expect(() => new DataLakehouse(testStack(), 'Lake', {
      zones: { raw: { bucketName: Token.asString({ Ref: 'BucketNameParam' }) } },
      lakeFormation: { admins: [Token.asString({ Ref: 'AdminArn' })] },
    })).not.toThrow();
  });
});

describe('DataLakehouse validation (property-based)', () => {
  // Each generator produces props with exactly one kind of defect and the property it must name.
  type Case = { props: DataLakehouseProps; property: RegExp };
  const zoneArb = fc.constantFrom(LakehouseZone.RAW, LakehouseZone.CURATED, LakehouseZone.ANALYTICS);

  const badBucketName: fc.Arbitrary<Case> = fc.tuple(zoneArb, fc.oneof(
    fc.string({ minLength: 64, maxLength: 80 }).map((s) => `a${s.replace(/[^a-z]/g, 'a')}`),
    fc.string({ maxLength: 2 }).map((s) => s.replace(/[^a-z]/g, 'a')),
    fc.stringMatching(/^[a-z]{3,10}[A-Z_.][a-z]{1,10}$/),
    fc.stringMatching(/^-[a-z]{3,10}$/),
  )).map(([zone, name]) => ({ props: { zones: { [zone]: { bucketName: name } } }, property: new RegExp(`zones\\.${zone}\\.bucketName`) }));

  const badDatabaseName: fc.Arbitrary<Case> = fc.tuple(zoneArb, fc.oneof(
    fc.stringMatching(/^[0-9][a-z_]{0,10}$/),
    fc.stringMatching(/^[a-z]{1,5}[-A-Z. ][a-z]{0,5}$/),
    fc.constant(''),
  )).map(([zone, name]) => ({ props: { zones: { [zone]: { databaseName: name } } }, property: new RegExp(`zones\\.${zone}\\.databaseName`) }));

  const badLifecycle: fc.Arbitrary<Case> = fc.tuple(zoneArb, fc.integer({ min: 30, max: 400 }), fc.integer({ min: 0, max: 29 }))
    .map(([zone, ia, gap]) => ({
      props: { zones: { [zone]: { lifecycle: { infrequentAccessAfter: Duration.days(ia), glacierAfter: Duration.days(ia + gap) } } } },
      property: new RegExp(`zones\\.${zone}\\.lifecycle\\.glacierAfter`),
    }));

  const earlyIa: fc.Arbitrary<Case> = fc.tuple(zoneArb, fc.integer({ min: 1, max: 29 })).map(([zone, ia]) => ({
    props: { zones: { [zone]: { lifecycle: { infrequentAccessAfter: Duration.days(ia) } } } },
    property: new RegExp(`zones\\.${zone}\\.lifecycle\\.infrequentAccessAfter`),
  }));

  const badColumnType: fc.Arbitrary<Case> = fc.oneof(
    fc.stringMatching(/^[a-z]{3,12}$/).filter((s) => !['string', 'boolean', 'tinyint', 'smallint', 'int', 'bigint', 'float', 'double', 'date', 'timestamp', 'binary'].includes(s)),
    fc.integer({ min: 39, max: 1000 }).map((p) => `decimal(${p},2)`),
    fc.constantFrom('array<>', 'map<array<int>,string>', 'struct<a:int,a:int>', 'array<int', 'varchar(0)'),
  ).map((type) => ({
    props: { tables: [{ name: 't', zone: LakehouseZone.RAW, columns: [col('c', ColumnType.custom(type))] }] },
    property: /tables\[0\]\.columns\[0\]\.type/,
  }));

  const badTableName: fc.Arbitrary<Case> = fc.stringMatching(/^[A-Z0-9-][a-zA-Z0-9-]{0,20}$/).map((name) => ({
    props: { tables: [{ name, zone: LakehouseZone.CURATED, columns: [col('c')] }] },
    property: /tables\[0\]\.name/,
  }));

  const lockWithoutVersioning: fc.Arbitrary<Case> = fc.tuple(fc.constantFrom(ObjectLockMode.GOVERNANCE, ObjectLockMode.COMPLIANCE), fc.integer({ min: 1, max: 3650 }))
    .map(([mode, d]) => ({ props: { zones: { raw: { versioned: false, objectLock: { mode, retention: Duration.days(d) } } } }, property: /zones\.raw\.versioned/ }));

  const smallCutoff: fc.Arbitrary<Case> = fc.integer({ min: 0, max: 10 * 1024 * 1024 - 1 }).map((b) => ({
    props: { query: { bytesScannedCutoffPerQuery: Size.bytes(b) } }, property: /query\.bytesScannedCutoffPerQuery/,
  }));

  test('random bad props always give a ValidationError naming the property, never a crash or a template', () => {
    fc.assert(fc.property(
      fc.oneof(badBucketName, badDatabaseName, badLifecycle, earlyIa, badColumnType, badTableName, lockWithoutVersioning, smallCutoff),
      ({ props, property }) => {
        const e = errorOf(props);
        expect(e.problems.some((p) => property.test(p.property))).toBe(true);
        expect(e.message).toContain('Test/Lake');
      },
    ), { numRuns: 150 });
  });

  test('random valid lifecycles are accepted', () => {
    fc.assert(fc.property(zoneArb, fc.integer({ min: 30, max: 400 }), fc.integer({ min: 30, max: 400 }), fc.integer({ min: 1, max: 400 }),
      (zone, ia, gap, extra) => {
        const lifecycle = { infrequentAccessAfter: Duration.days(ia), glacierAfter: Duration.days(ia + gap), expireAfter: Duration.days(ia + gap + extra) };
        expect(() => new DataLakehouse(testStack(), 'Lake', { zones: { [zone]: { lifecycle } } })).not.toThrow();
      }), { numRuns: 25 });
  });
});
