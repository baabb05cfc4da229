import { CONTEXT_ATTRIBUTE_KEYS } from '@spantrack/conventions';
import type { AttributeValue, SpanLike } from '../span-like';

type ContextValues = Partial<Record<(typeof CONTEXT_ATTRIBUTE_KEYS)[number], AttributeValue>>;

interface HeldTrace {
  spans: SpanLike[];
  context: ContextValues;
  firstSeenMs: number;
}

export interface TraceContextBufferOptions {
  /** A trace whose local root has not ended after this long is released as it is. */
  maxHoldMillis: number;
  /** Held spans across all traces; past it the oldest trace is released as it is. */
  maxHeldSpans: number;
  /**
   * Contexts of released traces kept for their late spans: at least half this many of the most
   * recent ones, at most this many.
   */
  maxRememberedTraces: number;
}

const isPresent = (v: AttributeValue | undefined): v is AttributeValue => v !== undefined && v !== '';

/**
 * Holds the spans of a trace until its local root span ends, so ids that only some spans carry
 * (user, conversation, org, workspace, channel) reach every span of the trace before translation.
 * Bounded in time and in memory: nothing is held past `maxHoldMillis` or beyond `maxHeldSpans`.
 */
export class TraceContextBuffer {
  private readonly held = new Map<string, HeldTrace>();
  // Contexts of released traces, in two generations: when `recent` is full it becomes `older` and
  // the old `older` is forgotten whole. Deleting the oldest entry of one Map one at a time would
  // leave V8 scanning tombstones on every `keys().next()`, quadratic at high span rates.
  private recent = new Map<string, ContextValues>();
  private older = new Map<string, ContextValues>();
  private heldSpans = 0;

  constructor(private readonly options: TraceContextBufferOptions) {}

  get size(): number {
    return this.heldSpans;
  }

  /**
   * Takes one ended span; pushes to `out` the spans that are ready for translation (none, this
   * one, or a whole trace when its local root ends).
   */
  add(span: SpanLike, isLocalRoot: boolean, nowMs: number, out: SpanLike[]): void {
    const remembered = this.recent.get(span.traceId) ?? this.older.get(span.traceId);
    if (remembered !== undefined) {
      out.push(fillContext(span, remembered));
      return;
    }
    let trace = this.held.get(span.traceId);
    if (trace === undefined) {
      if (isLocalRoot) {
        // A trace of one span, or a root whose children all ended elsewhere: nothing to carry.
        this.remember(span.traceId, collect(span, {}, true));
        out.push(span);
        return;
      }
      trace = { spans: [], context: {}, firstSeenMs: nowMs };
      this.held.set(span.traceId, trace);
    }
    collect(span, trace.context, isLocalRoot);
    trace.spans.push(span);
    this.heldSpans++;
    if (isLocalRoot) {
      this.release(span.traceId, trace, out);
    } else if (this.heldSpans > this.options.maxHeldSpans) {
      const oldest = this.held.keys().next().value as string;
      this.release(oldest, this.held.get(oldest)!, out);
    }
  }

  /** Releases traces held longer than `maxHoldMillis`. */
  expire(nowMs: number, out: SpanLike[]): void {
    for (const [traceId, trace] of this.held) {
      // Map order is insertion order, so the first young trace ends the scan.
      if (nowMs - trace.firstSeenMs < this.options.maxHoldMillis) break;
      this.release(traceId, trace, out);
    }
  }

  /** Releases everything (flush, shutdown). */
  releaseAll(out: SpanLike[]): void {
    for (const [traceId, trace] of this.held) this.release(traceId, trace, out);
  }

  private release(traceId: string, trace: HeldTrace, out: SpanLike[]): void {
    this.held.delete(traceId);
    this.heldSpans -= trace.spans.length;
    for (const span of trace.spans) out.push(fillContext(span, trace.context));
    this.remember(traceId, trace.context);
  }

  private remember(traceId: string, context: ContextValues): void {
    this.recent.set(traceId, context);
    if (this.recent.size >= Math.max(1, this.options.maxRememberedTraces >> 1)) {
      this.older = this.recent;
      this.recent = new Map();
    }
  }
}

/** Adds the span's context values to the trace's; the local root's values win over its children's. */
function collect(span: SpanLike, into: ContextValues, isLocalRoot: boolean): ContextValues {
  for (const key of CONTEXT_ATTRIBUTE_KEYS) {
    const value = span.attributes[key];
    if (isPresent(value) && (isLocalRoot || into[key] === undefined)) into[key] = value;
  }
  return into;
}

/** The span with the trace's context values it lacks; the same object when it lacks none. */
function fillContext(span: SpanLike, context: ContextValues): SpanLike {
  let attributes: Record<string, AttributeValue | undefined> | undefined;
  for (const key of CONTEXT_ATTRIBUTE_KEYS) {
    const value = context[key];
    if (value !== undefined && !isPresent(span.attributes[key])) {
      attributes ??= { ...span.attributes };
      attributes[key] = value;
    }
  }
  return attributes === undefined ? span : { ...span, attributes };
}
