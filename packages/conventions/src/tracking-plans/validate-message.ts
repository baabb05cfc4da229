import { isDateTime } from './date-time';
import type { JsonSchema } from './json-schema';
import { TRACKING_PLANS } from './plans';
import { checkSchema, childPath, MAX_VIOLATIONS, type SchemaViolation } from './schema-check';
import type { TrackingPlan } from './tracking-plan';

/** One way a message breaks a tracking plan. */
export interface MessageViolation {
  /** The track event's name, `identify`, or undefined when the message has no usable type. */
  event: string | undefined;
  /** Where in the message: `properties.confidence`, `context.channel`, `traits`, `''` for the whole. */
  path: string;
  message: string;
  /** The plan whose rule failed, when one did. */
  plan?: string;
}

export interface ValidationResult {
  valid: boolean;
  errors: MessageViolation[];
  /**
   * Names of the plans that define this message's event (or identify rules). Empty when none
   * does: the message was only checked as a Segment message (a user catalog's own event).
   */
  checkedBy: string[];
}

export interface ValidateOptions {
  /**
   * Whether the message was produced with content capture on. When `false`, a property a plan marks
   * as content (`"x-spantrack-content": true`) is a violation. @default undefined: not checked
   */
  captureContent?: boolean;
}

interface Rule {
  plan: string;
  schema: JsonSchema;
}
interface CompiledPlans {
  events: Map<string, Rule[]>;
  identify: Rule[];
  global: Rule[];
  /** Event name → property names marked as content. */
  content: Map<string, Set<string>>;
}

const compiled = new WeakMap<readonly TrackingPlan[], CompiledPlans>();

function contentProperties(schema: JsonSchema, into: Set<string>): void {
  const props = schema.properties?.properties?.properties ?? schema.properties?.traits?.properties;
  if (props === undefined || typeof props !== 'object') return;
  for (const key of Object.keys(props)) if (props[key]?.['x-spantrack-content'] === true) into.add(key);
}

/** Indexes the plans' rules by event name (once per plans array). */
/** The list under `key`, created empty on first use. */
function listOf<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (list === undefined) {
    list = [];
    map.set(key, list);
  }
  return list;
}

function contentOf(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}

function compile(plans: readonly TrackingPlan[], errors: MessageViolation[]): CompiledPlans {
  let c = compiled.get(plans);
  if (c !== undefined) return c;
  c = { events: new Map(), identify: [], global: [], content: new Map() };
  for (const plan of plans) {
    const name = typeof plan?.name === 'string' ? plan.name : '(unnamed plan)';
    const rules = plan?.rules;
    if (rules === null || typeof rules !== 'object') {
      errors.push({ event: undefined, path: '', message: 'tracking plan has no rules object', plan: name });
      continue;
    }
    for (const e of Array.isArray(rules.events) ? rules.events : []) {
      if (typeof e?.name !== 'string' || e.rules === null || typeof e.rules !== 'object') {
        errors.push({
          event: undefined,
          path: '',
          message: 'tracking plan event without name or rules',
          plan: name,
        });
        continue;
      }
      listOf(c.events, e.name).push({ plan: name, schema: e.rules });
      contentProperties(e.rules, contentOf(c.content, e.name));
    }
    if (rules.identify !== undefined) {
      c.identify.push({ plan: name, schema: rules.identify });
      contentProperties(rules.identify, contentOf(c.content, 'identify'));
    }
    if (rules.global !== undefined) c.global.push({ plan: name, schema: rules.global });
  }
  // A malformed plan is reported on every call rather than cached as if it were fine.
  if (errors.length === 0) compiled.set(plans, c);
  return c;
}

function nonEmptyString(value: unknown): boolean {
  return typeof value === 'string' && value.length > 0;
}

/** What Segment itself needs of any message, whatever the plans say. */
function checkEnvelope(m: Record<string, unknown>, event: string | undefined, out: MessageViolation[]): void {
  const add = (path: string, message: string): void => {
    out.push({ event, path, message });
  };
  if (!nonEmptyString(m.userId) && !nonEmptyString(m.anonymousId)) {
    add('', 'needs a non-empty userId or anonymousId');
  }
  for (const key of ['userId', 'anonymousId', 'messageId'] as const) {
    if (m[key] !== undefined && typeof m[key] !== 'string')
      add(key, `must be a string, got ${typeof m[key]}`);
  }
  if (m.timestamp !== undefined && !(typeof m.timestamp === 'string' && isDateTime(m.timestamp))) {
    add('timestamp', 'must be an RFC 3339 date-time (2024-05-01T12:00:00.000Z)');
  }
  const body = event === 'identify' ? 'traits' : 'properties';
  for (const key of [body, 'context']) {
    const v = m[key];
    if (v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v)))
      add(key, 'must be an object');
  }
}

function run(
  rules: readonly Rule[],
  m: unknown,
  event: string,
  out: MessageViolation[],
  checkedBy: string[],
): void {
  for (const rule of rules) {
    const found: SchemaViolation[] = [];
    checkSchema(rule.schema, m, '', found);
    for (const v of found) out.push({ event, path: v.path, message: v.message, plan: rule.plan });
    if (!checkedBy.includes(rule.plan)) checkedBy.push(rule.plan);
  }
}

function validate(
  message: unknown,
  plans: readonly TrackingPlan[],
  options: ValidateOptions | undefined,
  errors: MessageViolation[],
  checkedBy: string[],
): void {
  if (message === null || typeof message !== 'object' || Array.isArray(message)) {
    errors.push({
      event: undefined,
      path: '',
      message: `a message must be an object, got ${message === null ? 'null' : Array.isArray(message) ? 'an array' : typeof message}`,
    });
    return;
  }
  const m = message as Record<string, unknown>;
  const c = compile(Array.isArray(plans) ? plans : [], errors);
  let event: string;
  if (m.type === 'track') {
    if (!nonEmptyString(m.event)) {
      errors.push({
        event: undefined,
        path: 'event',
        message: 'a track message needs a non-empty event name',
      });
      return;
    }
    event = m.event as string;
  } else if (m.type === 'identify') {
    event = 'identify';
  } else if (typeof m.type === 'string' && ['page', 'screen', 'group', 'alias'].includes(m.type)) {
    // Segment calls no plan here describes: only the envelope is checked.
    checkEnvelope(m, undefined, errors);
    return;
  } else {
    errors.push({
      event: undefined,
      path: 'type',
      message: `unknown message type ${JSON.stringify(m.type)}`,
    });
    return;
  }
  checkEnvelope(m, event, errors);
  run(c.global, m, event, errors, checkedBy);
  run(event === 'identify' ? c.identify : (c.events.get(event) ?? []), m, event, errors, checkedBy);
  if (options?.captureContent === false) {
    const content = c.content.get(event);
    const body = m[event === 'identify' ? 'traits' : 'properties'];
    if (content !== undefined && body !== null && typeof body === 'object') {
      for (const key of content) {
        if (Object.hasOwn(body, key)) {
          errors.push({
            event,
            path: childPath(event === 'identify' ? 'traits' : 'properties', key),
            message: 'is content and was sent with content capture off',
          });
        }
      }
    }
  }
}

/**
 * Checks one Segment message against tracking plans (default: every built-in plan). A track
 * message whose event no plan names, and an identify when no plan has identify rules, are checked
 * only as Segment messages (`checkedBy` is empty): pass your own plan to check your own events.
 * Never throws: a message that cannot be read (a throwing getter, a revoked Proxy) is reported.
 */
export function validateMessage(
  message: unknown,
  plans: readonly TrackingPlan[] = TRACKING_PLANS,
  options?: ValidateOptions,
): ValidationResult {
  const errors: MessageViolation[] = [];
  const checkedBy: string[] = [];
  if (!Array.isArray(plans)) {
    // A wrong argument must not read as "valid": nothing would have been checked.
    errors.push({ event: undefined, path: '', message: 'plans must be an array of tracking plans' });
    return { valid: false, errors, checkedBy };
  }
  try {
    validate(message, plans, options, errors, checkedBy);
  } catch (error) {
    errors.push({
      event: undefined,
      path: '',
      message: `the message could not be read: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  if (errors.length > MAX_VIOLATIONS) errors.length = MAX_VIOLATIONS;
  return { valid: errors.length === 0, errors, checkedBy };
}
