import type { Attributes, AttributeValue } from '@opentelemetry/api';
import type { Diagnostics } from './diagnostics';

/** A user property or trait value; anything that is not an attribute value is JSON-encoded. */
export type PropertyValue = AttributeValue | Record<string, unknown> | readonly unknown[] | null | undefined;

function isPrimitiveArray(v: readonly unknown[]): boolean {
  if (v.length === 0) return true;
  const t = typeof v[0];
  if (t !== 'string' && t !== 'number' && t !== 'boolean') return false;
  for (let i = 1; i < v.length; i++) if (typeof v[i] !== t) return false;
  return true;
}

/** Converts one value, or returns `undefined` (reported) when it cannot be written. */
export function toAttributeValue(
  d: Diagnostics,
  where: string,
  option: string,
  v: unknown,
): AttributeValue | undefined {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      if (Number.isFinite(v)) return v;
      d.invalid(where, option, 'expected a finite number', v);
      return undefined;
    case 'undefined':
      return undefined;
    case 'object':
      if (v === null) return undefined;
      if (Array.isArray(v) && isPrimitiveArray(v)) return v as AttributeValue;
      break;
    default:
      d.invalid(where, option, 'expected a JSON-encodable value', v);
      return undefined;
  }
  try {
    const json = JSON.stringify(v);
    if (json !== undefined) return json;
  } catch {
    // cycles and BigInts land here: reported below
  }
  d.invalid(where, option, 'expected a JSON-encodable value', v);
  return undefined;
}

/** Writes `prefix + name` for each entry of a properties/traits record into `target`. */
export function writeProperties(
  d: Diagnostics,
  where: string,
  prefix: string,
  props: unknown,
  target: Attributes,
): void {
  if (props == null) return;
  if (typeof props !== 'object' || Array.isArray(props)) {
    d.invalid(where, 'properties', 'expected an object', props);
    return;
  }
  for (const name in props) {
    if (!Object.hasOwn(props, name) || name.length === 0) continue;
    const value = toAttributeValue(d, where, `properties.${name}`, (props as Record<string, unknown>)[name]);
    if (value !== undefined) target[prefix + name] = value;
  }
}
