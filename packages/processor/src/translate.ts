import { channel } from 'node:diagnostics_channel';
import { type BuiltinCatalogName, CatalogName } from '@spantrack/conventions';
import { aiAgentCatalog } from './catalogs/ai-agent';
import type { Catalog } from './catalogs/catalog';
import { TranslatorCatalogContext } from './catalogs/catalog-context';
import { customerSignalsCatalog } from './catalogs/customer-signals';
import { segmentCopilotCatalog } from './catalogs/segment-copilot';
import { copyUserMessage } from './catalogs/user-message';
import { SpantrackConfigError } from './config-error';
import { type Diagnostic, DiagnosticCode, NO_DIAGNOSTICS } from './diagnostics';
import type { AnalyticsMessage } from './message';
import { resolveSources } from './normalize/builtin-sources';
import { isModelCall, priceModelCall } from './normalize/cost';
import type { Interaction } from './normalize/interaction';
import { type InteractionSource, normalizeWith } from './normalize/normalize';
import { Prices, type PriceTable } from './normalize/price-table';
import { type NormalizeContext, UNUSABLE_SPAN } from './normalize/read-span';
import { readTraceContext } from './normalize/trace-context';
import { applyTraceRules, type TraceContext } from './normalize/trace-rules';
import { PrivacyFilter, type PrivacyPolicy } from './privacy/privacy-policy';
import { MIN_MAX_EVENT_BYTES } from './privacy/size-cap';
import type { SpanLike } from './span-like';

/** The built-in catalogs by name. */
export const BUILTIN_CATALOGS: Readonly<Record<BuiltinCatalogName, Catalog>> = {
  [CatalogName.AI_AGENT]: aiAgentCatalog,
  [CatalogName.SEGMENT_COPILOT]: segmentCopilotCatalog,
  [CatalogName.CUSTOMER_SIGNALS]: customerSignalsCatalog,
};
const BUILTIN_SET = new Set<Catalog>(Object.values(BUILTIN_CATALOGS));

/** Options of `createTranslator` / `translate`. */
export interface TranslatorOptions {
  /**
   * Catalogs to run, in order: built-in names and / or your own `Catalog` objects.
   * @default ['ai-agent', 'segment-copilot', 'customer-signals']
   */
  catalogs?: ReadonlyArray<BuiltinCatalogName | Catalog>;
  /** What may leave (content, pseudonymisation, redaction, size cap). @default content off, nothing else */
  privacy?: PrivacyPolicy;
  /**
   * @experimental Extra span sources, tried after spantrack's own spans and before the built-in
   * producers' sources (docs/sources.md). @default none
   */
  sources?: readonly InteractionSource[];
  /**
   * Model prices (USD per million input / output / cached-input tokens) that override or extend
   * the shipped table, keyed by model name. @default the shipped table only
   */
  prices?: PriceTable;
}

/** What one span became. */
export interface TranslateResult {
  /** The messages to deliver (empty when the span is not recognised or yields no event). */
  messages: AnalyticsMessage[];
  /** Problems found; a shared empty array when there were none. */
  diagnostics: readonly Diagnostic[];
  /**
   * False when no source recognised the span (not an error: count it, move on). Such a span also
   * carries one `unrecognised` diagnostic, so counting diagnostics by code counts them too.
   */
  recognised: boolean;
}

/**
 * `translate` with its configuration resolved once: call it with a span. Pure and never throws.
 */
export interface Translator {
  (span: SpanLike): TranslateResult;
  /**
   * Several spans at once (a held trace, a collector request): one result per span, in order.
   * Rules that need more than one span apply across them (docs/sources.md: one event per model
   * call, tool execution and turn; identity and usage shared across a trace).
   */
  many(spans: readonly SpanLike[]): TranslateResult[];
  /** Names of the enabled catalogs, in order. */
  readonly catalogs: readonly string[];
  readonly captureContent: boolean;
}

function validateOptions(options: TranslatorOptions): void {
  if (options === null || typeof options !== 'object') {
    throw new SpantrackConfigError('options', 'must be an object');
  }
  const { catalogs, privacy, sources } = options;
  if (catalogs !== undefined) {
    if (!Array.isArray(catalogs)) throw new SpantrackConfigError('catalogs', 'must be an array');
    const names = new Set<string>();
    catalogs.forEach((c, i) => {
      const option = `catalogs[${i}]`;
      let name: string;
      if (typeof c === 'string') {
        if (!(c in BUILTIN_CATALOGS)) {
          throw new SpantrackConfigError(
            option,
            `unknown catalog ${JSON.stringify(c)}; built-in catalogs are ${Object.keys(BUILTIN_CATALOGS).join(', ')}`,
          );
        }
        name = c;
      } else if (
        c !== null &&
        typeof c === 'object' &&
        typeof c.name === 'string' &&
        typeof c.map === 'function'
      ) {
        if (c.name.length === 0) throw new SpantrackConfigError(`${option}.name`, 'must not be empty');
        name = c.name;
      } else {
        throw new SpantrackConfigError(
          option,
          'must be a built-in catalog name or an object with name and map()',
        );
      }
      if (names.has(name))
        throw new SpantrackConfigError(option, `catalog ${JSON.stringify(name)} is listed twice`);
      names.add(name);
    });
  }
  if (privacy !== undefined) {
    if (privacy === null || typeof privacy !== 'object')
      throw new SpantrackConfigError('privacy', 'must be an object');
    if (privacy.captureContent !== undefined && typeof privacy.captureContent !== 'boolean') {
      throw new SpantrackConfigError('privacy.captureContent', 'must be a boolean');
    }
    const p = privacy.pseudonymizeUserIds;
    if (p !== undefined) {
      if (p === null || typeof p !== 'object' || typeof p.secret !== 'string' || p.secret.length === 0) {
        throw new SpantrackConfigError('privacy.pseudonymizeUserIds.secret', 'must be a non-empty string');
      }
    }
    if (privacy.redact !== undefined && typeof privacy.redact !== 'function') {
      throw new SpantrackConfigError('privacy.redact', 'must be a function (value, path) => string');
    }
    const max = privacy.maxEventBytes;
    if (max !== undefined && !(Number.isInteger(max) && max >= MIN_MAX_EVENT_BYTES)) {
      throw new SpantrackConfigError('privacy.maxEventBytes', `must be an integer >= ${MIN_MAX_EVENT_BYTES}`);
    }
  }
  if (sources !== undefined) {
    if (!Array.isArray(sources)) throw new SpantrackConfigError('sources', 'must be an array');
    sources.forEach((s, i) => {
      if (
        s === null ||
        typeof s !== 'object' ||
        typeof s.name !== 'string' ||
        typeof s.recognise !== 'function'
      ) {
        throw new SpantrackConfigError(`sources[${i}]`, 'must be an object with name and recognise()');
      }
    });
  }
}

/** `readTraceContext`, for a span that may be malformed (then it lends nothing). */
function lentContext(span: SpanLike): TraceContext | undefined {
  try {
    return readTraceContext(span);
  } catch {
    return undefined;
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const NO_MESSAGES: readonly AnalyticsMessage[] = [];

/** What `spantrack:processor:message` carries: one message the translator produced. */
export interface ProducedMessageEvent {
  /** The message as it will be delivered. Read it; do not change it. */
  message: AnalyticsMessage;
  /** The catalog that made it. */
  catalog: string;
  /** Whether content capture was on (content properties may be present only then). */
  captureContent: boolean;
}

/**
 * Observability hook: every message the translator produces, after the privacy policy, is
 * published here (`diagnostics_channel.subscribe(MESSAGE_CHANNEL_NAME, fn)`). Nothing is built
 * unless someone subscribes.
 */
export const MESSAGE_CHANNEL_NAME = 'spantrack:processor:message';
const messageChannel = channel(MESSAGE_CHANNEL_NAME);

/**
 * The messageIds of one span's messages so far. A span makes one to three messages: a scan of them
 * is cheaper than a Set, which is built only past a handful (a user catalog making many).
 */
class SpanMessageIds {
  #out: readonly AnalyticsMessage[] = [];
  #set: Set<string> | undefined;

  reset(out: readonly AnalyticsMessage[]): void {
    this.#out = out;
    this.#set = undefined;
  }

  has(id: string): boolean {
    const out = this.#out;
    if (this.#set === undefined) {
      if (out.length < 16) {
        for (let i = 0; i < out.length; i++) if (out[i]!.messageId === id) return true;
        return false;
      }
      this.#set = new Set(out.map((m) => m.messageId));
    }
    return this.#set.has(id);
  }

  /** Records an id about to be pushed onto the span's messages. */
  add(id: string): void {
    this.#set?.add(id);
  }
}

/** Empties `list`; most often it already is, and setting an array's length is a call into the engine. */
function clear(list: unknown[]): void {
  if (list.length !== 0) list.length = 0;
}

class SpanTranslator {
  readonly catalogs: readonly string[];
  readonly captureContent: boolean;
  readonly #catalogs: readonly Catalog[];
  readonly #sources: readonly InteractionSource[];
  readonly #privacy: PrivacyFilter;
  readonly #prices: Prices;
  readonly #ctx: TranslatorCatalogContext;
  readonly #normalizeCtx: NormalizeContext;
  /** Reused for every span; copied out only when a span has problems. */
  readonly #scratch: Diagnostic[] = [];
  /** The messageIds of the span being translated (reset per span). */
  readonly #ids = new SpanMessageIds();

  constructor(options: TranslatorOptions) {
    const selected = options.catalogs ?? Object.keys(BUILTIN_CATALOGS);
    this.#catalogs = selected.map((c) =>
      typeof c === 'string' ? BUILTIN_CATALOGS[c as BuiltinCatalogName] : c,
    );
    this.catalogs = this.#catalogs.map((c) => c.name);
    this.#sources = resolveSources(options.sources);
    this.#privacy = new PrivacyFilter(options.privacy);
    this.#prices = new Prices(options.prices);
    this.captureContent = this.#privacy.captureContent;
    this.#ctx = new TranslatorCatalogContext(this.#privacy);
    this.#ctx.diagnostics = this.#scratch;
    this.#normalizeCtx = { captureContent: this.captureContent, diagnostics: this.#scratch };
  }

  translate(span: SpanLike): TranslateResult {
    const scratch = this.#scratch;
    clear(scratch);
    const messages: AnalyticsMessage[] = [];
    let recognised = false;
    try {
      const it = normalizeWith(span, this.#normalizeCtx, this.#sources);
      if (it === UNUSABLE_SPAN) {
        // Ours, but without usable times: the source reported why; nothing to send.
        recognised = true;
      } else if (it !== undefined) {
        recognised = true;
        if (isModelCall(it) && it.reportedBy === undefined) priceModelCall(it, this.#prices, scratch);
        this.#runCatalogs(it, messages);
      } else {
        scratch.push({
          code: DiagnosticCode.UNRECOGNISED,
          message: 'no source recognised the span: nothing to send',
          traceId: span.traceId,
          spanId: span.spanId,
        });
      }
    } catch (error) {
      // Should not happen (each stage guards itself); the span is reported, never thrown.
      scratch.push({
        code: DiagnosticCode.INVALID_SPAN,
        message: `span could not be translated: ${errorText(error)}`,
        traceId: String(span?.traceId ?? ''),
        spanId: String(span?.spanId ?? ''),
      });
    }
    return { messages, diagnostics: scratch.length === 0 ? NO_DIAGNOSTICS : scratch.splice(0), recognised };
  }

  many(spans: readonly SpanLike[]): TranslateResult[] {
    const n = spans.length;
    const scratch = this.#scratch;
    const interactions: (Interaction | undefined)[] = new Array(n);
    const recognised: boolean[] = new Array(n);
    const diagnostics: (Diagnostic[] | undefined)[] = new Array(n);
    // What spans that make no event still carry for their trace (user, conversation, ...).
    let context: (TraceContext | undefined)[] | undefined;
    for (let i = 0; i < n; i++) {
      const span = spans[i]!;
      clear(scratch);
      let it: Interaction | typeof UNUSABLE_SPAN | undefined;
      try {
        it = normalizeWith(span, this.#normalizeCtx, this.#sources);
      } catch (error) {
        scratch.push({
          code: DiagnosticCode.INVALID_SPAN,
          message: `span could not be translated: ${errorText(error)}`,
          traceId: String(span?.traceId ?? ''),
          spanId: String(span?.spanId ?? ''),
        });
        it = UNUSABLE_SPAN;
      }
      recognised[i] = it !== undefined;
      interactions[i] = it === UNUSABLE_SPAN ? undefined : it;
      if ((it === undefined || it === UNUSABLE_SPAN) && n > 1) {
        const lent = lentContext(span);
        if (lent !== undefined) {
          context ??= new Array(n);
          context[i] = lent;
        }
      }
      if (it === undefined) {
        scratch.push({
          code: DiagnosticCode.UNRECOGNISED,
          message: 'no source recognised the span: nothing to send',
          traceId: span.traceId,
          spanId: span.spanId,
        });
      }
      diagnostics[i] = scratch.length === 0 ? undefined : scratch.splice(0);
    }
    const diagnosticsOf = (i: number): Diagnostic[] => {
      let d = diagnostics[i];
      if (d === undefined) diagnostics[i] = d = [];
      return d;
    };
    try {
      applyTraceRules(spans, interactions, this.#prices, diagnosticsOf, context);
    } catch (error) {
      // Should not happen; each span still translates on its own.
      diagnosticsOf(0).push({
        code: DiagnosticCode.INVALID_SPAN,
        message: `trace rules could not be applied: ${errorText(error)}`,
        traceId: spans[0]?.traceId ?? '',
        spanId: spans[0]?.spanId ?? '',
      });
    }
    const results: TranslateResult[] = new Array(n);
    for (let i = 0; i < n; i++) {
      clear(scratch);
      const own = diagnostics[i];
      if (own !== undefined) for (const d of own) scratch.push(d);
      const messages: AnalyticsMessage[] = [];
      const it = interactions[i];
      if (it !== undefined) {
        try {
          this.#runCatalogs(it, messages);
        } catch (error) {
          scratch.push({
            code: DiagnosticCode.INVALID_SPAN,
            message: `span could not be translated: ${errorText(error)}`,
            traceId: it.traceId,
            spanId: it.spanId,
          });
        }
      }
      results[i] = {
        messages,
        diagnostics: scratch.length === 0 ? NO_DIAGNOSTICS : scratch.splice(0),
        recognised: recognised[i]!,
      };
    }
    return results;
  }

  #runCatalogs(it: Interaction, out: AnalyticsMessage[]): void {
    const ctx = this.#ctx;
    const privacy = this.#privacy;
    const catalogs = this.#catalogs;
    const userKeys = ctx.userKeys;
    const ids = this.#ids;
    ids.reset(out);
    for (let c = 0; c < catalogs.length; c++) {
      const catalog = catalogs[c]!;
      const builtin = BUILTIN_SET.has(catalog);
      ctx.catalog = catalog.name;
      let produced: readonly AnalyticsMessage[];
      let count: number;
      try {
        produced = catalog.map(it, ctx);
        if (!Array.isArray(produced)) throw new TypeError('map() did not return an array');
        count = produced.length;
      } catch (error) {
        this.#catalogError(it, catalog.name, `catalog ${catalog.name} failed: ${errorText(error)}`);
        continue;
      }
      for (let i = 0; i < count; i++) {
        // Each message on its own: one that cannot even be read costs only itself.
        try {
          const original = produced[i]!;
          let message = original;
          if (!builtin) {
            const copy = copyUserMessage(original);
            if (typeof copy === 'string') {
              this.#catalogError(
                it,
                catalog.name,
                `catalog ${catalog.name} returned a malformed message (${copy}): dropped`,
              );
              continue;
            }
            message = copy;
            // A user catalog that copied the raw user id still sends only the pseudonym.
            if (privacy.pseudonymizes && it.userId !== undefined && message.userId === it.userId) {
              message.userId = privacy.userId(it.userId);
            }
          }
          // Before the size cap, which counts the id's length.
          if (ids.has(message.messageId)) this.#renumber(it, message, ids);
          const keys = userKeys.size === 0 ? undefined : userKeys.get(original);
          const kept = privacy.apply(message, this.#scratch, it.traceId, it.spanId, catalog.name, keys);
          if (kept === undefined) continue;
          ids.add(kept.messageId);
          out.push(kept);
          if (messageChannel.hasSubscribers) {
            const event: ProducedMessageEvent = {
              message: kept,
              catalog: catalog.name,
              captureContent: this.captureContent,
            };
            messageChannel.publish(event);
          }
        } catch (error) {
          this.#catalogError(
            it,
            catalog.name,
            `message ${i} of catalog ${catalog.name} could not be checked: ${errorText(error)}`,
          );
        }
      }
    }
    ctx.catalog = undefined;
    if (userKeys.size > 0) userKeys.clear();
    ids.reset(NO_MESSAGES);
  }

  /**
   * Two messages of one span must not share a messageId (Segment would keep one). A later message
   * whose id is taken (two catalogs making an event of the same name, a user catalog's fixed id)
   * gets the id of the next ordinal of its event name: deterministic, since catalogs run in order.
   */
  #renumber(it: Interaction, message: AnalyticsMessage, ids: SpanMessageIds): void {
    const event = message.type === 'track' ? message.event : 'identify';
    for (let ordinal = 1; ; ordinal++) {
      const id = this.#ctx.messageId(it, event, ordinal);
      if (!ids.has(id)) {
        message.messageId = id;
        return;
      }
    }
  }

  #catalogError(it: Interaction, catalog: string, message: string): void {
    this.#scratch.push({
      code: DiagnosticCode.CATALOG_ERROR,
      message,
      traceId: it.traceId,
      spanId: it.spanId,
      catalog,
    });
  }
}

/** Resolves and validates the options once; the returned `translate` is the fast path. */
export function createTranslator(options: TranslatorOptions = {}): Translator {
  validateOptions(options);
  const translator = new SpanTranslator(options);
  // One closure per translator (not per span), so the hot path is a plain call.
  const fn = ((span: SpanLike) => translator.translate(span)) as Translator;
  Object.defineProperties(fn, {
    many: { value: (spans: readonly SpanLike[]) => translator.many(spans), enumerable: false },
    catalogs: { value: translator.catalogs, enumerable: true },
    captureContent: { value: translator.captureContent, enumerable: true },
  });
  return fn;
}

let defaultTranslator: Translator | undefined;
const translators = new WeakMap<TranslatorOptions, Translator>();

/**
 * One span to messages. The translator for an options object is built once and reused, so passing
 * the same object is cheap; prefer `createTranslator` in hot code.
 * @throws SpantrackConfigError when the options are invalid (never because of the span)
 */
export function translate(span: SpanLike, options?: TranslatorOptions): TranslateResult {
  if (options === undefined) {
    defaultTranslator ??= createTranslator();
    return defaultTranslator(span);
  }
  let translator = translators.get(options);
  if (translator === undefined) {
    translator = createTranslator(options);
    translators.set(options, translator);
  }
  return translator(span);
}
