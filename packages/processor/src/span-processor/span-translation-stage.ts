import { diag } from '@opentelemetry/api';
import { DiagnosticCode } from '../diagnostics';
import { fromReadableSpan } from '../from-readable-span';
import type { AnalyticsMessage } from '../message';
import type { ReadableSpanLike } from '../sdk-span';
import type { Sink } from '../sinks/sink';
import type { SpanLike } from '../span-like';
import { createTranslator, type Translator, type TranslatorOptions } from '../translate';
import { deduplicatedCount, positive } from './options';
import { TraceContextBuffer } from './trace-context-buffer';
import type { TraceHoldOptions } from './types';

/** Counters of the stage, shared by the span processor's and the span exporter's stats. */
export interface TranslationCounters {
  spansTranslated: number;
  spansUnrecognised: number;
  spansFailed: number;
  messagesEmitted: number;
}

/**
 * The part the `AnalyticsSpanProcessor` and the `AnalyticsSpanExporter` share: ended SDK spans in,
 * analytics messages out, through one `TraceContextBuffer` (a trace's spans are held until its
 * local root arrives, so ids set on some spans reach every event of the trace). No I/O, no timers:
 * its owner decides when to call it and where the messages go.
 */
export class SpanTranslationStage {
  readonly counters: TranslationCounters = {
    spansTranslated: 0,
    spansUnrecognised: 0,
    spansFailed: 0,
    messagesEmitted: 0,
  };
  readonly diagnostics: Record<string, number> = {};
  private readonly translate: Translator;
  private readonly buffer: TraceContextBuffer | undefined;
  private readonly warned = new Set<string>();

  /** `owner` prefixes the warnings (`AnalyticsSpanProcessor`, `AnalyticsSpanExporter`). */
  constructor(
    options: TranslatorOptions & { traceHold?: false | TraceHoldOptions },
    private readonly owner: string,
  ) {
    this.translate = createTranslator({
      catalogs: options.catalogs,
      privacy: options.privacy,
      sources: options.sources,
      prices: options.prices,
    });
    const hold = options.traceHold;
    this.buffer =
      hold === false
        ? undefined
        : new TraceContextBuffer({
            maxHoldMillis: positive(hold?.maxHoldMillis, 'traceHold.maxHoldMillis') ?? 30_000,
            maxHeldSpans: positive(hold?.maxHeldSpans, 'traceHold.maxHeldSpans') ?? 50_000,
            maxRememberedTraces:
              positive(hold?.maxRememberedTraces, 'traceHold.maxRememberedTraces') ?? 10_000,
          });
  }

  /** Its counters and diagnostics now, with `sink`'s deduplicated count: the stats both users share. */
  snapshot(
    sink: Sink,
  ): TranslationCounters & { messagesDeduplicated: number; diagnostics: Record<string, number> } {
    return {
      ...this.counters,
      messagesDeduplicated: deduplicatedCount(sink),
      diagnostics: { ...this.diagnostics },
    };
  }

  /** Spans held for their trace's local root now. */
  get heldSpans(): number {
    return this.buffer?.size ?? 0;
  }

  /**
   * Reads, holds and translates ended spans; pushes to `out` the messages of every span that is
   * ready (not held). A span is a local root when it has no parent or a remote one.
   */
  take(spans: readonly ReadableSpanLike[], nowMs: number, out: AnalyticsMessage[]): void {
    const ready: SpanLike[] = [];
    for (const readable of spans) {
      let span: SpanLike;
      try {
        span = fromReadableSpan(readable);
      } catch (error) {
        this.counters.spansFailed++;
        this.warnOnce('read-failed', `${this.owner}: a span could not be read: ${String(error)}`);
        continue;
      }
      if (this.buffer === undefined) ready.push(span);
      else {
        const parent = readable.parentSpanContext;
        this.buffer.add(span, parent === undefined || parent.isRemote === true, nowMs, ready);
      }
    }
    this.translateAll(ready, out);
  }

  /** Translates the traces held longer than `maxHoldMillis`, as they are. */
  expire(nowMs: number, out: AnalyticsMessage[]): void {
    if (this.buffer === undefined || this.buffer.size === 0) return;
    const ready: SpanLike[] = [];
    this.buffer.expire(nowMs, ready);
    this.translateAll(ready, out);
  }

  /** Translates every held trace (flush, shutdown). */
  releaseAll(out: AnalyticsMessage[]): void {
    if (this.buffer === undefined || this.buffer.size === 0) return;
    const ready: SpanLike[] = [];
    this.buffer.releaseAll(ready);
    this.translateAll(ready, out);
  }

  warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    diag.warn(message);
  }

  private translateAll(spans: readonly SpanLike[], out: AnalyticsMessage[]): void {
    if (spans.length === 0) return;
    // All at once: rules that span a trace (one event per model call, tool and turn; identity and
    // usage across the trace) see every span released together.
    let results: ReturnType<Translator['many']>;
    try {
      results = this.translate.many(spans);
    } catch (error) {
      // The translator is built never to throw; this guards against a bug all the same.
      this.counters.spansFailed += spans.length;
      this.warnOnce('translate-failed', `${this.owner}: translation failed: ${String(error)}`);
      return;
    }
    for (const result of results) {
      this.counters.spansTranslated++;
      if (!result.recognised) this.counters.spansUnrecognised++;
      for (const d of result.diagnostics) {
        this.diagnostics[d.code] = (this.diagnostics[d.code] ?? 0) + 1;
        if (d.code !== DiagnosticCode.UNRECOGNISED)
          this.warnOnce(`diag:${d.code}`, `spantrack: ${d.message}`);
      }
      this.counters.messagesEmitted += result.messages.length;
      // One push per message: spreading a large array into push() can overflow the stack.
      for (const m of result.messages) out.push(m);
    }
  }
}
