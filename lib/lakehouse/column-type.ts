const PRIMITIVES: Record<string, string | undefined> = {
  // hive type -> iceberg type (undefined: Iceberg has no equivalent)
  string: 'string',
  boolean: 'boolean',
  tinyint: undefined,
  smallint: undefined,
  int: 'int',
  bigint: 'long',
  float: 'float',
  double: 'double',
  date: 'date',
  timestamp: 'timestamp',
  binary: 'binary',
};

/**
 * The type of a table column, in Hive (Glue) notation.
 *
 * Use the presets, the `decimal`/`varchar`/`char`/`array`/`map`/`struct` factories, or
 * `ColumnType.custom('...')` for a type string from configuration; the table validates custom
 * strings and rejects unknown types at synth.
 */
export class ColumnType {
  public static readonly STRING = new ColumnType('string');
  public static readonly BOOLEAN = new ColumnType('boolean');
  public static readonly TINYINT = new ColumnType('tinyint');
  public static readonly SMALLINT = new ColumnType('smallint');
  public static readonly INT = new ColumnType('int');
  public static readonly BIGINT = new ColumnType('bigint');
  public static readonly FLOAT = new ColumnType('float');
  public static readonly DOUBLE = new ColumnType('double');
  public static readonly DATE = new ColumnType('date');
  public static readonly TIMESTAMP = new ColumnType('timestamp');
  public static readonly BINARY = new ColumnType('binary');

  /** `decimal(precision, scale)`; precision 1-38, scale 0-precision. */
  public static decimal(precision: number, scale: number): ColumnType {
    return new ColumnType(`decimal(${precision},${scale})`);
  }

  /** `varchar(length)`; length 1-65535. */
  public static varchar(length: number): ColumnType {
    return new ColumnType(`varchar(${length})`);
  }

  /** `char(length)`; length 1-255. */
  public static char(length: number): ColumnType {
    return new ColumnType(`char(${length})`);
  }

  /** `array<element>`. */
  public static array(element: ColumnType): ColumnType {
    return new ColumnType(`array<${element.typeString}>`);
  }

  /** `map<key,value>`; the key must be a primitive type. */
  public static map(key: ColumnType, value: ColumnType): ColumnType {
    return new ColumnType(`map<${key.typeString},${value.typeString}>`);
  }

  /** `struct<name:type,...>`. */
  public static struct(fields: Record<string, ColumnType>): ColumnType {
    return new ColumnType(`struct<${Object.entries(fields).map(([n, t]) => `${n}:${t.typeString}`).join(',')}>`);
  }

  /** A type string from configuration, for example `array<struct<id:bigint,tag:string>>`. Validated by the table. */
  public static custom(typeString: string): ColumnType {
    return new ColumnType(typeString);
  }

  private constructor(
    /** The Hive type string. */
    public readonly typeString: string,
  ) {}

  /** Why this type is not a valid Hive type, or undefined when it is. */
  public problem(): string | undefined {
    try {
      const rest = parseType(this.typeString.trim(), 0);
      if (rest !== this.typeString.trim().length) return `unexpected text at position ${rest}`;
      return undefined;
    } catch (e) {
      return (e as Error).message;
    }
  }

  /** True for types without nesting (no array, map or struct). */
  public get isPrimitive(): boolean {
    return !/[<]/.test(this.typeString);
  }

  /**
   * The Iceberg type string for this type, or undefined when it has none that a CloudFormation
   * Iceberg table can declare (tinyint, smallint, varchar, char and nested types).
   */
  public get icebergType(): string | undefined {
    const t = this.typeString.trim().toLowerCase();
    if (isPrimitive(t)) return PRIMITIVES[t];
    if (/^decimal\(\d+,\d+\)$/.test(t)) return t;
    return undefined;
  }
}

const NAME = /^[a-z_][a-z0-9_]*/i;

/** Own keys only: `constructor`, `toString` and friends are not column types. */
function isPrimitive(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(PRIMITIVES, name);
}

/** Parses one type starting at `pos`; returns the position after it or throws with the reason. */
function parseType(s: string, pos: number): number {
  const word = /^[a-z][a-z0-9]*/i.exec(s.slice(pos));
  if (!word) throw new Error(`expected a type at position ${pos}`);
  const name = word[0].toLowerCase();
  let p = pos + word[0].length;
  const expect = (ch: string) => {
    if (s[p] !== ch) throw new Error(`expected "${ch}" at position ${p} after ${name}`);
    p++;
  };
  const number = (): number => {
    const m = /^\d+/.exec(s.slice(p));
    if (!m) throw new Error(`expected a number at position ${p}`);
    p += m[0].length;
    return Number(m[0]);
  };
  if (isPrimitive(name)) return p;
  switch (name) {
    case 'decimal': {
      expect('(');
      const precision = number();
      expect(',');
      const scale = number();
      expect(')');
      if (precision < 1 || precision > 38) throw new Error(`decimal precision ${precision} is outside 1-38`);
      if (scale > precision) throw new Error(`decimal scale ${scale} exceeds precision ${precision}`);
      return p;
    }
    case 'varchar':
    case 'char': {
      expect('(');
      const length = number();
      expect(')');
      const max = name === 'char' ? 255 : 65535;
      if (length < 1 || length > max) throw new Error(`${name} length ${length} is outside 1-${max}`);
      return p;
    }
    case 'array':
      expect('<');
      p = parseType(s, p);
      expect('>');
      return p;
    case 'map': {
      expect('<');
      const keyStart = p;
      p = parseType(s, p);
      if (/[<]/.test(s.slice(keyStart, p))) throw new Error('map keys must be primitive types');
      expect(',');
      p = parseType(s, p);
      expect('>');
      return p;
    }
    case 'struct': {
      expect('<');
      const seen = new Set<string>();
      for (;;) {
        const field = NAME.exec(s.slice(p));
        if (!field) throw new Error(`expected a struct field name at position ${p}`);
        if (seen.has(field[0].toLowerCase())) throw new Error(`duplicate struct field "${field[0]}"`);
        seen.add(field[0].toLowerCase());
        p += field[0].length;
        expect(':');
        p = parseType(s, p);
        if (s[p] === ',') {
          p++;
          continue;
        }
        expect('>');
        return p;
      }
    }
    default:
      throw new Error(`unknown type "${name}" (allowed: ${Object.keys(PRIMITIVES).join(', ')}, decimal(p,s), varchar(n), char(n), array<>, map<>, struct<>)`);
  }
}
