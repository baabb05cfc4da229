import type { Diagnostic, DiagnosticCode } from '../diagnostics';
import { DiagnosticCode as Code } from '../diagnostics';
import type { AnalyticsMessage, IdentifyMessage, JsonObject, JsonValue, TrackMessage } from '../message';
import { conversationMessageId, spanMessageId } from '../message-id';
import type { Interaction } from '../normalize/interaction';
import { CONTENT_PROPERTY_NAMES, type PrivacyFilter } from '../privacy/privacy-policy';
import type { CatalogContext, TrackOptions } from './catalog';

/**
 * The translator's `CatalogContext`: one per translator. `diagnostics` and `catalog` point at the
 * span and catalog being translated (translation is synchronous, so this needs no per-span object).
 */
export class TranslatorCatalogContext implements CatalogContext {
  readonly captureContent: boolean;
  readonly #privacy: PrivacyFilter;
  diagnostics: Diagnostic[] = [];
  catalog: string | undefined;
  /**
   * Per message built here, the keys of its `properties` / `traits` that came from the span's user
   * properties or traits (the size cap may drop exactly those). Cleared by the translator per span.
   */
  readonly userKeys = new Map<AnalyticsMessage, string[]>();

  constructor(privacy: PrivacyFilter) {
    this.#privacy = privacy;
    this.captureContent = privacy.captureContent;
  }

  userId(it: Interaction): string | undefined {
    return it.userId === undefined ? undefined : this.#privacy.userId(it.userId);
  }

  messageId(it: Interaction, event: string, ordinal = 0): string {
    return spanMessageId(
      it.traceId,
      it.spanId,
      event,
      ordinal,
      () => `${it.spanName}\u0000${it.startTimeUnixNano}`,
    );
  }

  track(it: Interaction, event: string, properties: JsonObject, options?: TrackOptions): TrackMessage {
    const messageId =
      options?.conversationScoped === true && it.conversationId !== undefined
        ? conversationMessageId(it.conversationId, event)
        : this.messageId(it, event, options?.ordinal ?? 0);
    const merged =
      options?.userProperties === false ? undefined : this.#mergeUserFields(it, it.properties, properties);
    const message: TrackMessage = {
      type: 'track',
      event,
      messageId,
      timestamp: options?.timestamp ?? it.timestamp,
      properties,
    };
    this.#identity(it, message);
    if (it.channel !== undefined) message.context = { channel: it.channel };
    if (merged !== undefined) this.userKeys.set(message, merged);
    return message;
  }

  identify(it: Interaction, traits?: JsonObject): IdentifyMessage | undefined {
    if (it.userId === undefined && it.anonymousId === undefined) {
      this.report(it, Code.MISSING_REQUIRED, 'identify without user.id or spantrack.anonymous.id: not sent');
      return undefined;
    }
    const own: JsonObject = traits ?? {};
    const merged = traits === undefined ? this.#mergeUserFields(it, it.traits, own) : undefined;
    const message: IdentifyMessage = {
      type: 'identify',
      messageId: this.messageId(it, 'identify'),
      timestamp: it.timestamp,
      traits: own,
    };
    this.#identity(it, message);
    if (it.channel !== undefined) message.context = { channel: it.channel };
    if (merged !== undefined) this.userKeys.set(message, merged);
    return message;
  }

  report(it: Interaction, code: DiagnosticCode, message: string, event?: string): void {
    this.diagnostics.push({
      code,
      message,
      traceId: it.traceId,
      spanId: it.spanId,
      catalog: this.catalog,
      event,
    });
  }

  /**
   * Copies the user's properties (or traits) into `into`, under what is already there (a documented
   * field is never overridden, whatever its name: own keys only, so `constructor` or `toString` are
   * ordinary names). With content capture off, a user field named like a content property
   * (`input_text`, `message_body`, ...) is not sent: `normalize` already drops those, this guards
   * interactions built by other sources. Returns the keys copied, or undefined when none were.
   */
  #mergeUserFields(it: Interaction, user: JsonObject | undefined, into: JsonObject): string[] | undefined {
    if (user === undefined) return undefined;
    const capture = this.captureContent;
    let merged: string[] | undefined;
    for (const key in user) {
      if (!Object.hasOwn(user, key) || Object.hasOwn(into, key) || key === '__proto__') continue;
      if (!capture && CONTENT_PROPERTY_NAMES.has(key)) {
        this.report(
          it,
          Code.INVALID_ATTRIBUTE,
          `user field ${JSON.stringify(key)} is named like a content property and content capture is off: not sent`,
        );
        continue;
      }
      const value: JsonValue = user[key]!;
      // Arrays are copied: several messages of one span share the interaction's values, and
      // the privacy policy rewrites each message in place.
      into[key] = Array.isArray(value) ? value.slice() : value;
      if (merged === undefined) merged = [key];
      else merged.push(key);
    }
    return merged;
  }

  /**
   * `userId` from `user.id` (pseudonymised when the policy says), `anonymousId` from
   * `spantrack.anonymous.id`. Segment needs one: with neither, the conversation id, else the trace
   * id (else the message id), becomes the anonymousId (docs/catalogs.md).
   */
  #identity(it: Interaction, message: TrackMessage | IdentifyMessage): void {
    if (it.userId !== undefined) message.userId = this.#privacy.userId(it.userId);
    if (it.anonymousId !== undefined) message.anonymousId = it.anonymousId;
    else if (it.userId === undefined)
      message.anonymousId = it.conversationId ?? (it.traceId !== '' ? it.traceId : message.messageId);
  }
}
