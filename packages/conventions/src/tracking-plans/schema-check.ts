import { isDateTime } from './date-time';
import type { JsonSchema, JsonSchemaType } from './json-schema';

/** One way a value fails its schema; `path` is relative to the message (`properties.confidence`). */
export interface SchemaViolation {
  path: string;
  message: string;
}

/** Keywords that carry no constraint. */
const ANNOTATIONS = new Set(['$schema', '$comment', 'title', 'description', 'default', 'examples']);
const KEYWORDS = new Set([
  'type',
  'enum',
  'const',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
]);
/** A plan nested deeper than this is malformed (or cyclic): JSON plans are a few levels deep. */
const MAX_SCHEMA_DEPTH = 32;
/** Past this many violations a message is reported as is: the rest would add nothing. */
export const MAX_VIOLATIONS = 100;

/** Schemas whose keywords were all found supported. */
const supported = new WeakSet<object>();

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `base.key`, or `base["odd key"]` when the key is not an identifier. */
export function childPath(base: string, key: string): string {
  if (IDENTIFIER.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeOf(value: unknown): JsonSchemaType | 'undefined' | 'other' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      // NaN and Infinity are not JSON numbers.
      if (!Number.isFinite(value)) return 'other';
      return Number.isInteger(value) ? 'integer' : 'number';
    case 'object':
      return 'object';
    case 'undefined':
      return 'undefined';
    default:
      return 'other';
  }
}

function hasType(value: unknown, type: JsonSchemaType): boolean {
  const actual = typeOf(value);
  return actual === type || (type === 'number' && actual === 'integer');
}

/** Deep equality of JSON values, for `enum` and `const`. */
function jsonEqual(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (
    depth > MAX_SCHEMA_DEPTH ||
    typeof a !== 'object' ||
    typeof b !== 'object' ||
    a === null ||
    b === null
  ) {
    return false;
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1))
      return false;
  }
  return true;
}

function describe(value: unknown): string {
  const t = typeOf(value);
  if (t === 'other') return typeof value === 'number' ? String(value) : typeof value;
  return t;
}

const patterns = new Map<string, RegExp | string>();
/** The compiled `pattern` (Unicode mode, as draft-07 validators use), or the compile error. */
function compilePattern(source: string): RegExp | string {
  let re = patterns.get(source);
  if (re === undefined) {
    try {
      re = new RegExp(source, 'u');
    } catch (error) {
      re = error instanceof Error ? error.message : String(error);
    }
    if (patterns.size < 1_000) patterns.set(source, re);
  }
  return re;
}

/**
 * Checks `value` against `schema`, appending violations to `out` (at most MAX_VIOLATIONS). Reads
 * only what the schema names, so a cyclic or huge message costs what its schema costs.
 */
export function checkSchema(
  input: JsonSchema,
  value: unknown,
  path: string,
  out: SchemaViolation[],
  depth = 0,
): void {
  if (out.length >= MAX_VIOLATIONS) return;
  const report = (message: string, at = path): void => {
    if (out.length < MAX_VIOLATIONS) out.push({ path: at, message });
  };
  // Plans passed by users are unchecked data: a schema may be anything.
  if (!isPlainObject(input)) {
    report(`the plan's schema here is ${input === null ? 'null' : typeof input}, not an object`);
    return;
  }
  const schema: JsonSchema = input;
  if (depth > MAX_SCHEMA_DEPTH) {
    report(`the plan's schema is nested more than ${MAX_SCHEMA_DEPTH} levels deep`);
    return;
  }
  if (!supported.has(schema)) {
    let ok = true;
    for (const key of Object.keys(schema)) {
      if (!KEYWORDS.has(key) && !ANNOTATIONS.has(key) && !key.startsWith('x-')) {
        ok = false;
        report(
          `the plan uses JSON Schema keyword ${JSON.stringify(key)}, which this validator does not support`,
        );
      }
    }
    // Plans are checked against many messages: their keywords need checking once.
    if (ok) supported.add(schema);
  }

  const { type } = schema;
  if (type !== undefined) {
    const types = Array.isArray(type) ? type : [type];
    if (!types.some((t) => hasType(value, t))) {
      report(`must be ${types.join(' or ')}, got ${describe(value)}`);
      return;
    }
  }
  if (schema.enum !== undefined) {
    if (!Array.isArray(schema.enum)) report("the plan's enum is not an array");
    else if (!schema.enum.some((e) => jsonEqual(e, value))) {
      report(`must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`);
    }
  }
  if (Object.hasOwn(schema, 'const') && !jsonEqual(schema.const, value)) {
    report(`must be ${JSON.stringify(schema.const)}`);
  }

  if (typeof value === 'number') checkNumber(schema, value, report);
  else if (typeof value === 'string') checkString(schema, value, report);
  else if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) {
      report(`must have at least ${schema.minItems} items`);
    }
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) {
      report(`must have at most ${schema.maxItems} items`);
    }
    if (schema.items !== undefined) {
      for (let i = 0; i < value.length && out.length < MAX_VIOLATIONS; i++) {
        checkSchema(schema.items, value[i], `${path}[${i}]`, out, depth + 1);
      }
    }
  } else if (isPlainObject(value)) checkObject(schema, value, path, out, depth, report);
}

function checkNumber(schema: JsonSchema, value: number, report: (m: string) => void): void {
  if (typeof schema.minimum === 'number' && value < schema.minimum) report(`must be >= ${schema.minimum}`);
  if (typeof schema.maximum === 'number' && value > schema.maximum) report(`must be <= ${schema.maximum}`);
  if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) {
    report(`must be > ${schema.exclusiveMinimum}`);
  }
  if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) {
    report(`must be < ${schema.exclusiveMaximum}`);
  }
}

/** String length in code points, as JSON Schema counts it. */
function codePoints(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length) {
      const d = value.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

function checkString(schema: JsonSchema, value: string, report: (m: string) => void): void {
  if (typeof schema.minLength === 'number' || typeof schema.maxLength === 'number') {
    const length = codePoints(value);
    if (typeof schema.minLength === 'number' && length < schema.minLength) {
      report(`must be at least ${schema.minLength} characters long`);
    }
    if (typeof schema.maxLength === 'number' && length > schema.maxLength) {
      report(`must be at most ${schema.maxLength} characters long`);
    }
  }
  if (typeof schema.pattern === 'string') {
    const re = compilePattern(schema.pattern);
    if (typeof re === 'string')
      report(`the plan's pattern ${JSON.stringify(schema.pattern)} is invalid: ${re}`);
    else if (!re.test(value)) report(`must match ${schema.pattern}`);
  }
  if (schema.format === 'date-time' && !isDateTime(value)) {
    report('must be an RFC 3339 date-time (2024-05-01T12:00:00.000Z)');
  }
}

function checkObject(
  schema: JsonSchema,
  value: Record<string, unknown>,
  path: string,
  out: SchemaViolation[],
  depth: number,
  report: (m: string, at?: string) => void,
): void {
  const declared = isPlainObject(schema.properties) ? schema.properties : undefined;
  if (Array.isArray(schema.required)) {
    for (const key of schema.required) {
      if (typeof key === 'string' && !Object.hasOwn(value, key)) {
        report(`required property ${JSON.stringify(key)} is missing`, childPath(path, key));
      }
    }
  }
  if (declared !== undefined) {
    for (const key of Object.keys(declared)) {
      if (out.length >= MAX_VIOLATIONS) return;
      if (Object.hasOwn(value, key))
        checkSchema(declared[key]!, value[key], childPath(path, key), out, depth + 1);
    }
  }
  const extra = schema.additionalProperties;
  if (extra === undefined || extra === true) return;
  for (const key of Object.keys(value)) {
    if (out.length >= MAX_VIOLATIONS) return;
    if (declared !== undefined && Object.hasOwn(declared, key)) continue;
    if (extra === false) report(`property ${JSON.stringify(key)} is not in the plan`, childPath(path, key));
    else checkSchema(extra, value[key], childPath(path, key), out, depth + 1);
  }
}
