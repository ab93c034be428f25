import * as fc from 'fast-check';
import { ColumnType } from '../../lib';

describe('ColumnType', () => {
  test.each([
    'string', 'bigint', 'decimal(38,10)', 'varchar(255)', 'char(1)', 'array<int>', 'map<string,array<double>>',
    'struct<a:int,b:struct<c:string>>', 'ARRAY<STRING>',
  ])('accepts %s', (t) => expect(ColumnType.custom(t).problem()).toBeUndefined());

  test.each([
    ['long', /unknown type "long"/], ['decimal(39,2)', /precision 39 is outside 1-38/], ['decimal(5,6)', /scale 6 exceeds precision 5/],
    ['array<int', /expected ">"/], ['map<array<int>,string>', /map keys must be primitive/], ['struct<a:int,a:int>', /duplicate struct field/],
    ['char(256)', /char length 256 is outside 1-255/], ['string extra', /unexpected text/],
    // Found by the property test: names inherited from Object.prototype are not types.
    ['constructor', /unknown type "constructor"/], ['toString', /unknown type "tostring"/], ['hasOwnProperty', /unknown type "hasownproperty"/],
  ])('rejects %s', (t, why) => expect(ColumnType.custom(t).problem()).toMatch(why));

  test('factories build what the parser accepts', () => {
    const t = ColumnType.map(ColumnType.STRING, ColumnType.array(ColumnType.struct({ id: ColumnType.BIGINT, amount: ColumnType.decimal(10, 2) })));
    expect(t.typeString).toBe('map<string,array<struct<id:bigint,amount:decimal(10,2)>>>');
    expect(t.problem()).toBeUndefined();
    expect(t.isPrimitive).toBe(false);
  });

  test('maps Hive types to Iceberg types where CloudFormation can declare them', () => {
    expect(ColumnType.BIGINT.icebergType).toBe('long');
    expect(ColumnType.decimal(9, 2).icebergType).toBe('decimal(9,2)');
    expect(ColumnType.SMALLINT.icebergType).toBeUndefined();
    expect(ColumnType.array(ColumnType.INT).icebergType).toBeUndefined();
  });

  test('never throws, whatever the input', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => {
      const p = ColumnType.custom(s).problem();
      expect(p === undefined || typeof p === 'string').toBe(true);
    }), { numRuns: 300 });
  });
});
