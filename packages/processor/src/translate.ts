import { type BuiltinCatalogName, CatalogName } from '@spantrack/conventions';
import { aiAgentCatalog } from './catalogs/ai-agent';
import type { Catalog } from './catalogs/catalog';
import { TranslatorCatalogContext } from './catalogs/catalog-context';
import { customerSignalsCatalog } from './catalogs/customer-signals';
import { segmentCopilotCatalog } from './catalogs/segment-copilot';
import { SpantrackConfigError } from './config-error';
import { type Diagnostic, DiagnosticCode, NO_DIAGNOSTICS } from './diagnostics';
import type { AnalyticsMessage } from './message';
import type { Interaction } from './normalize/interaction';
import { type InteractionSource, normalizeWith, resolveSources } from './normalize/normalize';
import type { NormalizeContext } from './normalize/read-span';
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
   * @experimental Extra span sources, tried after spantrack's own spans and before plain GenAI
   * semconv spans. @default none
   */
  sources?: readonly InteractionSource[];
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

/** Whether a user catalog's output is a message we can send. */
function isWellFormed(m: unknown): m is AnalyticsMessage {
  if (m === null || typeof m !== 'object') return false;
  const msg = m as Partial<AnalyticsMessage> & { event?: unknown; properties?: unknown; traits?: unknown };
  if (typeof msg.messageId !== 'string' || typeof msg.timestamp !== 'string') return false;
  if (typeof msg.userId !== 'string' && typeof msg.anonymousId !== 'string') return false;
  if (msg.type === 'track') {
    return (
      typeof msg.event === 'string' &&
      msg.event.length > 0 &&
      msg.properties !== null &&
      typeof msg.properties === 'object'
    );
  }
  return msg.type === 'identify' && msg.traits !== null && typeof msg.traits === 'object';
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

class SpanTranslator {
  readonly catalogs: readonly string[];
  readonly captureContent: boolean;
  readonly #catalogs: readonly Catalog[];
  readonly #sources: readonly InteractionSource[];
  readonly #privacy: PrivacyFilter;
  readonly #ctx: TranslatorCatalogContext;
  readonly #normalizeCtx: NormalizeContext;
  /** Reused for every span; copied out only when a span has problems. */
  readonly #scratch: Diagnostic[] = [];

  constructor(options: TranslatorOptions) {
    const selected = options.catalogs ?? Object.keys(BUILTIN_CATALOGS);
    this.#catalogs = selected.map((c) =>
      typeof c === 'string' ? BUILTIN_CATALOGS[c as BuiltinCatalogName] : c,
    );
    this.catalogs = this.#catalogs.map((c) => c.name);
    this.#sources = resolveSources(options.sources);
    this.#privacy = new PrivacyFilter(options.privacy);
    this.captureContent = this.#privacy.captureContent;
    this.#ctx = new TranslatorCatalogContext(this.#privacy);
    this.#ctx.diagnostics = this.#scratch;
    this.#normalizeCtx = { captureContent: this.captureContent, diagnostics: this.#scratch };
  }

  translate(span: SpanLike): TranslateResult {
    const scratch = this.#scratch;
    scratch.length = 0;
    const messages: AnalyticsMessage[] = [];
    let recognised = false;
    try {
      const it = normalizeWith(span, this.#normalizeCtx, this.#sources);
      if (it !== undefined) {
        recognised = true;
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

  #runCatalogs(it: Interaction, out: AnalyticsMessage[]): void {
    const ctx = this.#ctx;
    const privacy = this.#privacy;
    const scratch = this.#scratch;
    const catalogs = this.#catalogs;
    for (let c = 0; c < catalogs.length; c++) {
      const catalog = catalogs[c]!;
      const builtin = BUILTIN_SET.has(catalog);
      ctx.catalog = catalog.name;
      let produced: readonly AnalyticsMessage[];
      try {
        produced = catalog.map(it, ctx);
        if (!Array.isArray(produced)) throw new TypeError('map() did not return an array');
      } catch (error) {
        scratch.push({
          code: DiagnosticCode.CATALOG_ERROR,
          message: `catalog ${catalog.name} failed: ${errorText(error)}`,
          traceId: it.traceId,
          spanId: it.spanId,
          catalog: catalog.name,
        });
        continue;
      }
      for (let i = 0; i < produced.length; i++) {
        const message = produced[i];
        if (!builtin) {
          if (!isWellFormed(message)) {
            scratch.push({
              code: DiagnosticCode.CATALOG_ERROR,
              message: `catalog ${catalog.name} returned a malformed message (needs type, event/traits, messageId, timestamp, userId or anonymousId): dropped`,
              traceId: it.traceId,
              spanId: it.spanId,
              catalog: catalog.name,
            });
            continue;
          }
          // A user catalog that copied the raw user id still sends only the pseudonym.
          if (privacy.pseudonymizes && it.userId !== undefined && message.userId === it.userId) {
            message.userId = privacy.userId(it.userId);
          }
        }
        const userFields = message!.type === 'track' ? it.properties : it.traits;
        let kept: AnalyticsMessage | undefined;
        try {
          kept = privacy.apply(message!, scratch, it.traceId, it.spanId, catalog.name, userFields);
        } catch (error) {
          scratch.push({
            code: DiagnosticCode.CATALOG_ERROR,
            message: `message of catalog ${catalog.name} could not be checked: ${errorText(error)}`,
            traceId: it.traceId,
            spanId: it.spanId,
            catalog: catalog.name,
          });
        }
        if (kept !== undefined) out.push(kept);
      }
    }
    ctx.catalog = undefined;
  }
}

/** Resolves and validates the options once; the returned `translate` is the fast path. */
export function createTranslator(options: TranslatorOptions = {}): Translator {
  validateOptions(options);
  const translator = new SpanTranslator(options);
  // One closure per translator (not per span), so the hot path is a plain call.
  const fn = ((span: SpanLike) => translator.translate(span)) as Translator;
  Object.defineProperties(fn, {
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
