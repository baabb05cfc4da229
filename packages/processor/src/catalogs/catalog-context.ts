import type { Diagnostic, DiagnosticCode } from '../diagnostics';
import { DiagnosticCode as Code } from '../diagnostics';
import type { IdentifyMessage, JsonObject, TrackMessage } from '../message';
import { conversationMessageId, spanMessageId } from '../message-id';
import type { Interaction } from '../normalize/interaction';
import type { PrivacyFilter } from '../privacy/privacy-policy';
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
      `${it.spanName}\u0000${it.startTimeUnixNano}`,
    );
  }

  track(it: Interaction, event: string, properties: JsonObject, options?: TrackOptions): TrackMessage {
    const messageId =
      options?.conversationScoped === true && it.conversationId !== undefined
        ? conversationMessageId(it.conversationId, event)
        : this.messageId(it, event, options?.ordinal ?? 0);
    const user = it.properties;
    if (user !== undefined && options?.userProperties !== false) {
      for (const key in user) {
        if (key in properties) continue;
        const value = user[key]!;
        // Arrays are copied: several messages of one span share the interaction's values, and
        // the privacy policy rewrites each message in place.
        properties[key] = Array.isArray(value) ? value.slice() : value;
      }
    }
    const message: TrackMessage = {
      type: 'track',
      event,
      messageId,
      timestamp: options?.timestamp ?? it.timestamp,
      properties,
    };
    this.#identity(it, message);
    if (it.channel !== undefined) message.context = { channel: it.channel };
    return message;
  }

  identify(it: Interaction, traits?: JsonObject): IdentifyMessage | undefined {
    if (it.userId === undefined && it.anonymousId === undefined) {
      this.report(it, Code.MISSING_REQUIRED, 'identify without user.id or spantrack.anonymous.id: not sent');
      return undefined;
    }
    const message: IdentifyMessage = {
      type: 'identify',
      messageId: this.messageId(it, 'identify'),
      timestamp: it.timestamp,
      traits: traits ?? (it.traits === undefined ? {} : { ...it.traits }),
    };
    this.#identity(it, message);
    if (it.channel !== undefined) message.context = { channel: it.channel };
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
