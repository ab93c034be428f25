/**
 * A minimal structural checker of Kubernetes custom resources against a CRD's openAPIV3Schema,
 * strict where the API server is lenient: a field the schema does not declare is an error here,
 * while the API server prunes it silently (or rejects it on a strict server-side apply). It checks
 * type, properties, required, enum, additionalProperties, items, pattern, min/max length, items
 * and properties, minimum/maximum, anyOf (for int-or-string), x-kubernetes-int-or-string and
 * x-kubernetes-preserve-unknown-fields; it does not evaluate CEL rules (x-kubernetes-validations).
 */
import * as fs from 'fs';
import * as path from 'path';

/** The subset of a structural schema this checker reads. */
export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  anyOf?: Schema[];
  pattern?: string;
  maxLength?: number;
  minLength?: number;
  maxItems?: number;
  minItems?: number;
  maxProperties?: number;
  minProperties?: number;
  minimum?: number;
  maximum?: number;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
}

/** One vendored CRD version (see schemas/README.md). */
export interface VendoredSchema {
  source: { repository: string; tag: string; path: string };
  group: string;
  kind: string;
  version: string;
  scope: 'Namespaced' | 'Cluster';
  storage: boolean;
  deprecated: boolean;
  openAPIV3Schema: Schema;
}

/** Every vendored schema, by `<group>/<version>/<kind>`. */
export function loadVendoredSchemas(dir = path.join(__dirname, 'schemas')): Map<string, VendoredSchema> {
  const out = new Map<string, VendoredSchema>();
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const s = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as VendoredSchema;
    out.set(`${s.group}/${s.version}/${s.kind}`, s);
  }
  return out;
}

const typeOf = (v: unknown): string => {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
};

function typeMatches(expected: string, v: unknown): boolean {
  const actual = typeOf(v);
  return actual === expected || (expected === 'number' && actual === 'integer');
}

/** Problems of `value` against `schema`, each as `<path>: <what is wrong>`; empty when it conforms. */
export function validateAgainstSchema(value: unknown, schema: Schema, at = ''): string[] {
  const problems: string[] = [];
  const here = at || '<root>';
  if (schema['x-kubernetes-int-or-string']) {
    if (typeOf(value) !== 'integer' && typeof value !== 'string') problems.push(`${here}: must be an integer or a string, got ${typeOf(value)}`);
    if (typeof value === 'string' && schema.pattern && !new RegExp(schema.pattern).test(value)) problems.push(`${here}: "${value}" does not match ${schema.pattern}`);
    return problems;
  }
  if (schema.anyOf && !schema.anyOf.some((alt) => validateAgainstSchema(value, alt, at).length === 0)) {
    problems.push(`${here}: matches none of anyOf`);
  }
  if (schema.type && !typeMatches(schema.type, value)) {
    problems.push(`${here}: must be ${schema.type}, got ${typeOf(value)} (${JSON.stringify(value)})`);
    return problems;
  }
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    problems.push(`${here}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === 'string') {
    if (schema.pattern && !new RegExp(schema.pattern).test(value)) problems.push(`${here}: "${value}" does not match ${schema.pattern}`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) problems.push(`${here}: longer than ${schema.maxLength}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${here}: shorter than ${schema.minLength}`);
  }
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${here}: below ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${here}: above ${schema.maximum}`);
  }
  if (Array.isArray(value)) {
    if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`${here}: more than ${schema.maxItems} items`);
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${here}: fewer than ${schema.minItems} items`);
    if (schema.items) value.forEach((v, i) => problems.push(...validateAgainstSchema(v, schema.items!, `${at}[${i}]`)));
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) problems.push(`${here}: more than ${schema.maxProperties} properties`);
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) problems.push(`${here}: fewer than ${schema.minProperties} properties`);
    for (const r of schema.required ?? []) if (!(r in obj)) problems.push(`${here}: missing required field ${r}`);
    const embedded = schema['x-kubernetes-embedded-resource'] === true;
    for (const k of keys) {
      const child = `${at ? `${at}.` : ''}${k}`;
      if (schema.properties && k in schema.properties) {
        problems.push(...validateAgainstSchema(obj[k], schema.properties[k], child));
      } else if (typeof schema.additionalProperties === 'object') {
        problems.push(...validateAgainstSchema(obj[k], schema.additionalProperties, child));
      } else if (schema.additionalProperties === true || schema['x-kubernetes-preserve-unknown-fields']) {
        // Kept as given.
      } else if (embedded && ['apiVersion', 'kind', 'metadata'].includes(k)) {
        // Embedded resources keep their type and object metadata.
      } else if (schema.properties) {
        problems.push(`${child}: unknown field (the API server would prune it)`);
      } else if (schema.type === 'object' && !(at === 'metadata' || at.endsWith('.metadata'))) {
        // An object schema with neither properties nor additionalProperties accepts no fields.
        problems.push(`${child}: unknown field (the schema declares no fields here)`);
      }
    }
  }
  return problems;
}

/**
 * Problems of one custom resource against the vendored schemas: its group/version/kind must be
 * vendored, and served (not merely deprecated-but-served: deprecated versions are reported).
 */
export function validateCustomResource(m: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }, schemas: Map<string, VendoredSchema>): string[] {
  const where = `${m.apiVersion} ${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ''}${m.metadata.name}`;
  const s = schemas.get(`${m.apiVersion}/${m.kind}`);
  if (!s) return [`${where}: no vendored schema for ${m.apiVersion}/${m.kind}`];
  const problems: string[] = [];
  if (s.deprecated) problems.push(`${where}: ${m.apiVersion} is deprecated in ${s.source.repository} ${s.source.tag}`);
  if (s.scope === 'Cluster' && m.metadata.namespace) problems.push(`${where}: ${m.kind} is cluster-scoped but has a namespace`);
  if (s.scope === 'Namespaced' && !m.metadata.namespace) problems.push(`${where}: ${m.kind} is namespaced but has no namespace`);
  return [...problems, ...validateAgainstSchema(m, s.openAPIV3Schema).map((p) => `${where}: ${p}`)];
}
