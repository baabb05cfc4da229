import { type Diagnostic, DiagnosticCode } from '../diagnostics';
import type { AnalyticsMessage, JsonObject, JsonValue } from '../message';
import { Pseudonymizer } from './pseudonymize';
import { REQUIRED_PROPERTIES } from './required-properties';
import { capMessageSize, DEFAULT_MAX_EVENT_BYTES, jsonSizeUpperBound } from './size-cap';

/** What may leave the process, for every catalog and sink. */
export interface PrivacyPolicy {
  /**
   * Keep content: `input_text` (the AI agent tracking plan), `message_body` (Segment's AI Copilot spec), prompts and outputs. The
   * customer-signals catalog never carries content, even when this is on.
   * @default false (as the OpenTelemetry GenAI conventions default)
   */
  captureContent?: boolean;
  /**
   * Replace user ids (`userId`, and `user_id` of customer-signals) with HMAC-SHA256(secret, id) in
   * hex: stable per secret. Anonymous ids are left alone.
   * @default off
   */
  pseudonymizeUserIds?: { secret: string };
  /**
   * Called on every string taken from span data that leaves: `userId`, `anonymousId` and every
   * string in `properties`, `traits` and `context` (array items too). `path` is `userId`,
   * `properties.input_text`, `properties.tags[1]`, `context.channel`, ... Its return value is sent
   * instead. If it throws or returns a non-string, the value is dropped (an id, or a property the
   * event's tracking plan requires: the message is).
   * Not called on what spantrack generates itself: `type`, `event`, `messageId`, `timestamp`.
   * @default none
   */
  redact?: (value: string, path: string) => string;
  /**
   * Largest serialized size of one message in bytes; longer values are cut with
   * `<field>_truncated: true`.
   * @default 31744 (Segment's 32 KB minus 1 KB for what the delivery client adds)
   */
  maxEventBytes?: number;
}

/** Property names that hold content, cut first by the size cap. */
export const CONTENT_PROPERTY_NAMES: ReadonlySet<string> = new Set([
  'input_text',
  'output_text',
  'message_body',
  'prompt',
  'completion',
]);

/** A `PrivacyPolicy` with defaults applied, ready to run on every message. */
export class PrivacyFilter {
  readonly captureContent: boolean;
  readonly maxEventBytes: number;
  readonly #redact: ((value: string, path: string) => string) | undefined;
  readonly #pseudonymizer: Pseudonymizer | undefined;
  // Set for the duration of one `apply` call, so the walk needs no closures.
  #diagnostics: Diagnostic[] = [];
  #traceId = '';
  #spanId = '';
  #catalog: string | undefined;
  #event: string | undefined;

  constructor(policy: PrivacyPolicy = {}) {
    this.captureContent = policy.captureContent ?? false;
    this.maxEventBytes = policy.maxEventBytes ?? DEFAULT_MAX_EVENT_BYTES;
    this.#redact = policy.redact;
    this.#pseudonymizer =
      policy.pseudonymizeUserIds !== undefined
        ? new Pseudonymizer(policy.pseudonymizeUserIds.secret)
        : undefined;
  }

  /** The user id as it may leave: pseudonymised when the policy says so. */
  userId(id: string): string {
    return this.#pseudonymizer === undefined ? id : this.#pseudonymizer.pseudonymize(id);
  }

  get pseudonymizes(): boolean {
    return this.#pseudonymizer !== undefined;
  }

  /**
   * Redacts and size-caps a message in place. Undefined when it must not be sent (an id could not
   * be redacted, or it cannot be brought under the size cap); the reason is pushed on `diagnostics`.
   * `userKeys` name the fields of `properties` (or `traits`) merged from the span's user properties
   * (or traits): the ones that may be dropped as a last resort.
   */
  apply(
    message: AnalyticsMessage,
    diagnostics: Diagnostic[],
    traceId: string,
    spanId: string,
    catalog?: string,
    userKeys?: readonly string[],
  ): AnalyticsMessage | undefined {
    const event = message.type === 'track' ? message.event : 'identify';
    let estimate = 160 + message.messageId.length + message.timestamp.length + event.length * 6;
    if (this.#redact !== undefined) {
      this.#diagnostics = diagnostics;
      this.#traceId = traceId;
      this.#spanId = spanId;
      this.#catalog = catalog;
      this.#event = event;
      if (message.userId !== undefined) {
        const v = this.#redactValue(message.userId, 'userId');
        if (v === undefined) return this.#dropMessage('userId');
        message.userId = v;
      }
      if (message.anonymousId !== undefined) {
        const v = this.#redactValue(message.anonymousId, 'anonymousId');
        if (v === undefined) return this.#dropMessage('anonymousId');
        message.anonymousId = v;
      }
      if (message.type === 'track') {
        const required = REQUIRED_PROPERTIES.get(event);
        const props = message.properties;
        const present = required?.filter((key) => Object.hasOwn(props, key));
        this.#redactObject(props, 'properties', 0);
        // A required property redact failed on leaves an event that breaks its tracking plan.
        const lost = present?.find((key) => !Object.hasOwn(props, key));
        if (lost !== undefined) {
          // One diagnostic for the failure: the message's, not also the value's.
          const at = `properties.${lost}`;
          const i = diagnostics.findLastIndex(
            (d) => d.attribute === at && d.code === DiagnosticCode.REDACT_ERROR,
          );
          if (i >= 0) diagnostics.splice(i, 1);
          return this.#dropMessage(at, `which ${event} requires`);
        }
      } else this.#redactObject(message.traits, 'traits', 0);
      if (message.context !== undefined) this.#redactObject(message.context, 'context', 0);
    }
    estimate += (message.userId?.length ?? 0) * 6 + (message.anonymousId?.length ?? 0) * 6;
    estimate += jsonSizeUpperBound(message.type === 'track' ? message.properties : message.traits);
    if (message.context !== undefined) estimate += jsonSizeUpperBound(message.context);
    // Only serialise when the cheap upper bound says the message might be too large.
    if (estimate <= this.maxEventBytes) return message;

    const outcome = capMessageSize(message, this.maxEventBytes, CONTENT_PROPERTY_NAMES, userKeys);
    for (const t of outcome.truncated) {
      diagnostics.push({
        code: DiagnosticCode.TRUNCATED,
        message: `${t.path} cut from ${t.from} to ${t.to} bytes to keep the event under ${this.maxEventBytes} bytes`,
        traceId,
        spanId,
        catalog,
        event,
        attribute: t.path,
      });
    }
    if (outcome.droppedUserFields.length > 0) {
      diagnostics.push({
        code: DiagnosticCode.TRUNCATED,
        message: `user fields dropped to fit the size cap: ${outcome.droppedUserFields.join(', ')}`,
        traceId,
        spanId,
        catalog,
        event,
      });
    }
    if (!outcome.fits) {
      diagnostics.push({
        code: DiagnosticCode.EVENT_TOO_LARGE,
        message: `event stays over ${this.maxEventBytes} bytes after truncation: not sent`,
        traceId,
        spanId,
        catalog,
        event,
      });
      return undefined;
    }
    return message;
  }

  #dropMessage(path: string, why?: string): undefined {
    this.#diagnostics.push({
      code: DiagnosticCode.REDACT_ERROR,
      message: `redact failed on ${path}${why === undefined ? '' : `, ${why}`}: message not sent`,
      traceId: this.#traceId,
      spanId: this.#spanId,
      catalog: this.#catalog,
      event: this.#event,
      attribute: path,
    });
    return undefined;
  }

  #redactValue(value: string, path: string): string | undefined {
    let out: unknown;
    try {
      out = this.#redact!(value, path);
    } catch {
      return undefined;
    }
    return typeof out === 'string' ? out : undefined;
  }

  #redactObject(obj: JsonObject | JsonValue[], path: string, depth: number): void {
    if (depth > 32) return;
    if (Array.isArray(obj)) {
      for (let i = 0; i < obj.length; i++) {
        const v = obj[i];
        if (typeof v === 'string') {
          const p = `${path}[${i}]`;
          const r = this.#redactValue(v, p);
          if (r === undefined) {
            this.#dropValue(p);
            obj[i] = null;
          } else obj[i] = r;
        } else if (v !== null && typeof v === 'object') this.#redactObject(v, `${path}[${i}]`, depth + 1);
      }
      return;
    }
    for (const key in obj) {
      const v = obj[key];
      if (typeof v === 'string') {
        const p = `${path}.${key}`;
        const r = this.#redactValue(v, p);
        if (r === undefined) {
          this.#dropValue(p);
          delete obj[key];
        } else obj[key] = r;
      } else if (v !== null && typeof v === 'object') this.#redactObject(v, `${path}.${key}`, depth + 1);
    }
  }

  #dropValue(path: string): void {
    this.#diagnostics.push({
      code: DiagnosticCode.REDACT_ERROR,
      message: `redact failed on ${path}: value dropped`,
      traceId: this.#traceId,
      spanId: this.#spanId,
      catalog: this.#catalog,
      event: this.#event,
      attribute: path,
    });
  }
}

/**
 * Applies a privacy policy to one message (redact, size cap). Pseudonymisation happens as catalogs
 * place user ids (`CatalogContext.userId`); this convenience form builds a filter per call, so the
 * translator keeps one `PrivacyFilter` instead.
 */
export function applyPrivacy(
  message: AnalyticsMessage,
  policy: PrivacyPolicy,
  diagnostics: Diagnostic[] = [],
): AnalyticsMessage | undefined {
  return new PrivacyFilter(policy).apply(message, diagnostics, '', '');
}
