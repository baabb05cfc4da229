import type { DiagnosticCode } from '../diagnostics';
import type { AnalyticsMessage, IdentifyMessage, JsonObject, TrackMessage } from '../message';
import type { Interaction } from '../normalize/interaction';

/**
 * Maps interactions to the events of one source document. Implement it to add your own events:
 * `map` must be pure (same interaction, same messages) and return fresh objects, since the
 * privacy policy rewrites them in place. Build messages with `ctx.track` / `ctx.identify` so that
 * ids, timestamps, identity, context and the privacy policy are handled as for the built-ins.
 */
export interface Catalog {
  /** Unique among the enabled catalogs; appears in diagnostics. */
  readonly name: string;
  map(interaction: Interaction, ctx: CatalogContext): readonly AnalyticsMessage[];
}

/** Options of `CatalogContext.track`. */
export interface TrackOptions {
  /**
   * This is the n-th event of this name made from the interaction (0-based, default 0). Should
   * another message of the span (from any catalog) already hold the resulting id, the translator
   * gives this one the next free ordinal: messageIds are unique within a span.
   */
  ordinal?: number;
  /** ISO 8601; default the interaction's timestamp (the span's end time). */
  timestamp?: string;
  /**
   * Conversation lifecycle event: its `messageId` derives from (conversationId, event name), so it
   * is the same whichever span reports it. Requires `interaction.conversationId`.
   */
  conversationScoped?: boolean;
  /** Merge the interaction's user properties (`spantrack.property.*`) under the given ones. Default true. */
  userProperties?: boolean;
}

/** What a catalog gets besides the interaction. One per translator: keep no per-call state in it. */
export interface CatalogContext {
  /** Whether content (texts, message bodies) may be put in events. */
  readonly captureContent: boolean;
  /** The interaction's user id as it may leave (pseudonymised when the policy says), if any. */
  userId(interaction: Interaction): string | undefined;
  /**
   * A `track` message: deterministic `messageId`, `timestamp`, `userId` / `anonymousId` (see
   * docs/catalogs.md for the fallback), `context.channel`, and the user properties merged under
   * `properties` without overriding them.
   */
  track(
    interaction: Interaction,
    event: string,
    properties: JsonObject,
    options?: TrackOptions,
  ): TrackMessage;
  /** An `identify` message with the interaction's traits, or undefined (reported) without any user id. */
  identify(interaction: Interaction, traits?: JsonObject): IdentifyMessage | undefined;
  /** The deterministic id of the `ordinal`-th event named `event` from this interaction. */
  messageId(interaction: Interaction, event: string, ordinal?: number): string;
  /** Records a diagnostic against the interaction's span (for events the catalog had to skip). */
  report(interaction: Interaction, code: DiagnosticCode, message: string, event?: string): void;
}
