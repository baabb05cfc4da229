import { AiErrorType } from '@spantrack/conventions';
import type { Diagnostic } from '../diagnostics';
import type { SpanLike } from '../span-like';
import { spansByTrace, traceRuns } from '../trace-runs';
import { isModelCall, priceModelCall } from './cost';
import type { Interaction } from './interaction';
import { type Prices, roundUsd } from './price-table';

/** Error types a failed turn reports itself (`ai.error`) when no model call under it failed. */
const DOCUMENTED_TYPES = new Set<string>(Object.values(AiErrorType));

/** Walks up at most this many parents (a malformed trace may have a cycle). */
const MAX_DEPTH = 64;

/** Why an interaction makes no event of its own (set as `reportedBy`). */
export const ReportedBy = {
  /** A turn inside another turn (an agent span inside `conversation.turn()`, a nested agent). */
  TURN: 'turn',
  /** A model call inside another span of the same call (two instrumentations, a wrapper). */
  MODEL_CALL: 'model_call',
  /** A failed attempt that was retried: the last attempt reports the call. */
  RETRY: 'retry',
  /** A tool span inside another span of the same tool execution. */
  TOOL: 'tool',
} as const;

interface Usage {
  input: number | undefined;
  output: number | undefined;
  cached: number | undefined;
  cost: number | undefined;
  /** Model calls counted; `costed` of them had a cost. */
  calls: number;
  costed: number;
}

const add = (a: number | undefined, b: number | undefined) =>
  b === undefined ? a : a === undefined ? b : a + b;

function addUsage(u: Usage, it: Interaction): void {
  u.input = add(u.input, it.inputTokens);
  u.output = add(u.output, it.outputTokens);
  u.cached = add(u.cached, it.cacheReadTokens);
  u.calls++;
  if (it.costUsd !== undefined) {
    u.cost = roundUsd((u.cost ?? 0) + it.costUsd);
    u.costed++;
  }
}

const newUsage = (): Usage => ({
  input: undefined,
  output: undefined,
  cached: undefined,
  cost: undefined,
  calls: 0,
  costed: 0,
});

/**
 * Rules that need more than one span, applied to the interactions of a batch of spans (a whole
 * trace when the processor held it until its local root ended; a request's spans in the
 * collector). `interactions[i]` is what `spans[i]` became (undefined: no event). Parents missing
 * from the batch are simply unknown: each rule then degrades to what one span says.
 *
 * - one model call, one event: a model call inside another model call's span is the same call
 *   (the outer one reports it, taking the inner one's usage when it has none); a failed attempt
 *   followed by another attempt under the same parent is a retry (the last attempt reports);
 * - one `Action Invoked` per tool execution: a tool span inside a span of the same tool is skipped;
 * - one message pair per turn: a turn inside another turn adds none;
 * - identity: user, anonymous id, conversation, org, workspace, channel and app surface found on any
 *   span (one that makes no event included, `context`) reach every interaction of the trace (the
 *   value nearest the root wins);
 * - usage: each model call is priced once; a turn's tokens and cost are the sum of the model calls
 *   under it (never restated from a wrapper), or its own when none is in the batch;
 * - a turn of another producer that names a conversation starts it (`Conversation Started`, keyed
 *   by conversation so repeats dedupe).
 */
export function applyTraceRules(
  spans: readonly SpanLike[],
  interactions: ReadonlyArray<Interaction | undefined>,
  prices: Prices,
  diagnosticsOf: (index: number) => Diagnostic[],
  context?: ReadonlyArray<TraceContext | undefined>,
): void {
  const n = spans.length;
  // A trace's spans usually come together: runs of one trace id stand for the traces, and only when
  // a trace id comes back after another is every span grouped by trace (`runs` undefined).
  const runs = traceRuns(spans);
  // Parent index per span (-1: not in the batch), computed once.
  const parents = new Int32Array(n).fill(-1);
  if (runs !== undefined) {
    for (let r = 0; r + 1 < runs.length; r++) findParents(spans, runs[r]!, runs[r + 1]!, parents);
  } else findParents(spans, 0, n, parents);
  const parent = (i: number): number | undefined => {
    const j = parents[i]!;
    return j < 0 ? undefined : j;
  };

  // Identity: per trace, the shared fields of the interaction nearest the root.
  const depth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (interactions[i] === undefined && context?.[i] === undefined) continue;
    let d = 0;
    for (let j = parents[i]!; j >= 0 && d < MAX_DEPTH; j = parents[j]!) d++;
    depth[i] = d;
  }
  if (runs !== undefined) {
    for (let r = 0; r + 1 < runs.length; r++)
      shareIdentity(interactions, context, depth, undefined, runs[r]!, runs[r + 1]!);
  } else {
    for (const list of spansByTrace(spans).values()) {
      shareIdentity(interactions, context, depth, list, 0, list.length);
    }
  }

  // Nesting: what each interaction sits inside.
  const innerUsage = new Map<number, Usage>();
  for (let i = 0; i < n; i++) {
    const it = interactions[i];
    if (it === undefined) continue;
    const model = isModelCall(it);
    if (!model && it.kind !== 'turn' && it.kind !== 'tool') continue;
    let d = 0;
    for (let j = parent(i); j !== undefined && d < MAX_DEPTH; j = parent(j), d++) {
      const outer = interactions[j];
      if (outer === undefined) continue;
      if (model && isModelCall(outer)) {
        it.reportedBy ??= ReportedBy.MODEL_CALL;
        addUsage(usageAt(innerUsage, j), it);
        outer.model ??= it.model;
        outer.provider ??= it.provider;
        break;
      }
      if (it.kind === 'turn' && outer.kind === 'turn') {
        it.reportedBy ??= ReportedBy.TURN;
        break;
      }
      if (it.kind === 'tool' && outer.kind === 'tool' && sameTool(it, outer)) {
        it.reportedBy ??= ReportedBy.TOOL;
        break;
      }
    }
  }
  // A wrapper without usage of its own reports its inner calls' usage.
  for (const [j, u] of innerUsage) {
    const outer = interactions[j]!;
    if (outer.inputTokens === undefined && outer.outputTokens === undefined) {
      outer.inputTokens = u.input;
      outer.outputTokens = u.output;
      outer.cacheReadTokens ??= u.cached;
      if (outer.costUsd === undefined && u.costed === u.calls && u.cost !== undefined) outer.costUsd = u.cost;
    }
  }

  markRetries(spans, interactions, parent);

  // Price each model call that reports (once), then add it to the turn it belongs to.
  const turnUsage = new Map<number, Usage>();
  const failedTurns = new Set<number>();
  for (let i = 0; i < n; i++) {
    const it = interactions[i];
    if (it === undefined || !isModelCall(it)) continue;
    if (it.failed) {
      // Every turn above a failed call (retries included): their failure is the call's.
      for (let j = parent(i), d = 0; j !== undefined && d < MAX_DEPTH; j = parent(j), d++) failedTurns.add(j);
    }
    if (it.reportedBy !== undefined) continue;
    priceModelCall(it, prices, diagnosticsOf(i));
    let d = 0;
    for (let j = parent(i); j !== undefined && d < MAX_DEPTH; j = parent(j), d++) {
      const outer = interactions[j];
      if (outer === undefined || outer.kind !== 'turn' || outer.reportedBy !== undefined) continue;
      addUsage(usageAt(turnUsage, j), it);
      break;
    }
  }
  for (let i = 0; i < n; i++) {
    const it = interactions[i];
    if (it === undefined || it.kind !== 'turn' || it.reportedBy !== undefined) continue;
    const u = turnUsage.get(i);
    if (u !== undefined) {
      it.inputTokens = u.input;
      it.outputTokens = u.output;
      it.cacheReadTokens = u.cached;
      // A partial sum would understate the turn: a cost only when every call had one.
      it.costUsd = it.costUsd ?? (u.costed === u.calls ? u.cost : undefined);
    } else if (it.costUsd === undefined && it.model !== undefined) {
      const own = prices.of(it.model);
      if (own !== undefined) priceModelCall(it, prices, diagnosticsOf(i));
    }
    if (it.source !== 'spantrack' && it.conversationId !== undefined) it.conversationEvent ??= 'started';
    if (it.failed && !failedTurns.has(i) && it.error !== undefined && DOCUMENTED_TYPES.has(it.error.type)) {
      it.reportsOwnError = true;
    }
  }
}

/** A trace this short finds parents by comparing ids; a longer one (or a mixed batch) uses a map. */
const SCAN_PARENTS_UP_TO = 16;

/** Sets `parents[i]` for the spans `from..to` whose parent is among them (same trace). */
function findParents(spans: readonly SpanLike[], from: number, to: number, parents: Int32Array): void {
  if (to - from < 2) return;
  if (to - from <= SCAN_PARENTS_UP_TO) {
    for (let i = from; i < to; i++) {
      const p = spans[i]!.parentSpanId;
      if (p === undefined || p === '') continue;
      // From the end: of two spans with one id, the later is the parent, as with the map below.
      for (let j = to - 1; j >= from; j--) {
        if (j !== i && spans[j]!.spanId === p && spans[j]!.traceId === spans[i]!.traceId) {
          parents[i] = j;
          break;
        }
      }
    }
    return;
  }
  const bySpanId = new Map<string, number>();
  for (let i = from; i < to; i++) bySpanId.set(spans[i]!.spanId, i);
  for (let i = from; i < to; i++) {
    const span = spans[i]!;
    const p = span.parentSpanId;
    if (p === undefined || p === '') continue;
    const j = bySpanId.get(p);
    if (j !== undefined && j !== i && spans[j]!.traceId === span.traceId) parents[i] = j;
  }
}

/** The ids a span that makes no event of its own still lends to its trace (see `readTraceContext`). */
export type TraceContext = Pick<
  Interaction,
  'userId' | 'anonymousId' | 'conversationId' | 'orgId' | 'workspaceId' | 'channel' | 'appSurface'
>;

/**
 * Who and where, shared across one trace (`members[from..to)`, or spans `from..to` when there is
 * no `members`): user, anonymous id,
 * conversation, org, workspace, channel and app surface reach every interaction that lacks them; of
 * several values, the one nearest the root wins (the first of those at the same depth). Spans that
 * make no event lend theirs too (`context`). One field at a time, written out: this runs per trace.
 */
function shareIdentity(
  interactions: ReadonlyArray<Interaction | undefined>,
  context: ReadonlyArray<TraceContext | undefined> | undefined,
  depth: Int32Array,
  members: readonly number[] | undefined,
  from: number,
  to: number,
): void {
  let userId: string | undefined;
  let anonymousId: string | undefined;
  let conversationId: string | undefined;
  let orgId: string | undefined;
  let workspaceId: string | undefined;
  let channel: string | undefined;
  let appSurface: string | undefined;
  let du = MAX_DEPTH + 1;
  let da = du;
  let dc = du;
  let dor = du;
  let dw = du;
  let dch = du;
  let ds = du;
  let missing = false;
  for (let k = from; k < to; k++) {
    const i = members === undefined ? k : members[k]!;
    const own = interactions[i];
    const it: TraceContext | undefined = own ?? context?.[i];
    if (it === undefined) continue;
    const d = depth[i]!;
    if (it.userId !== undefined) {
      if (d < du) {
        userId = it.userId;
        du = d;
      }
    } else if (own !== undefined) missing = true;
    if (it.anonymousId !== undefined) {
      if (d < da) {
        anonymousId = it.anonymousId;
        da = d;
      }
    } else if (own !== undefined) missing = true;
    if (it.conversationId !== undefined) {
      if (d < dc) {
        conversationId = it.conversationId;
        dc = d;
      }
    } else if (own !== undefined) missing = true;
    if (it.orgId !== undefined) {
      if (d < dor) {
        orgId = it.orgId;
        dor = d;
      }
    } else if (own !== undefined) missing = true;
    if (it.workspaceId !== undefined) {
      if (d < dw) {
        workspaceId = it.workspaceId;
        dw = d;
      }
    } else if (own !== undefined) missing = true;
    if (it.channel !== undefined) {
      if (d < dch) {
        channel = it.channel;
        dch = d;
      }
    } else if (own !== undefined) missing = true;
    if (it.appSurface !== undefined) {
      if (d < ds) {
        appSurface = it.appSurface;
        ds = d;
      }
    } else if (own !== undefined) missing = true;
  }
  if (!missing) return;
  for (let k = from; k < to; k++) {
    const it = interactions[members === undefined ? k : members[k]!];
    if (it === undefined) continue;
    it.userId ??= userId;
    it.anonymousId ??= anonymousId;
    it.conversationId ??= conversationId;
    it.orgId ??= orgId;
    it.workspaceId ??= workspaceId;
    it.channel ??= channel;
    it.appSurface ??= appSurface;
  }
}

function usageAt(usage: Map<number, Usage>, index: number): Usage {
  let u = usage.get(index);
  if (u === undefined) {
    u = newUsage();
    usage.set(index, u);
  }
  return u;
}

function sameTool(a: Interaction, b: Interaction): boolean {
  if (a.toolCallId !== undefined && a.toolCallId === b.toolCallId) return true;
  const an = a.actionName ?? a.toolName;
  const bn = b.actionName ?? b.toolName;
  return an === undefined || bn === undefined || an === bn;
}

/**
 * Among the reporting model calls of one parent, a failed call followed by another call of the
 * same model is a retry: it reports nothing, and the last attempt, when it fails too, says how
 * many attempts came before it.
 */
function markRetries(
  spans: readonly SpanLike[],
  interactions: ReadonlyArray<Interaction | undefined>,
  parent: (i: number) => number | undefined,
): void {
  const failedByParent = new Map<number, number[]>();
  for (let i = 0; i < spans.length; i++) {
    const it = interactions[i];
    if (it === undefined || !isModelCall(it) || it.reportedBy !== undefined || !it.failed) continue;
    const p = parent(i);
    if (p === undefined) continue;
    const list = failedByParent.get(p);
    if (list === undefined) failedByParent.set(p, [i]);
    else list.push(i);
  }
  if (failedByParent.size === 0) return;
  for (let i = 0; i < spans.length; i++) {
    const it = interactions[i];
    if (it === undefined || !isModelCall(it) || it.reportedBy !== undefined) continue;
    const p = parent(i);
    const failed = p === undefined ? undefined : failedByParent.get(p);
    if (failed === undefined) continue;
    let earlier = 0;
    for (const f of failed) {
      const prior = interactions[f]!;
      if (f === i || prior.model !== it.model) continue;
      if (spans[f]!.endTimeUnixNano <= spans[i]!.startTimeUnixNano) {
        prior.reportedBy = ReportedBy.RETRY;
        earlier++;
      }
    }
    if (earlier > 0 && it.failed && it.error !== undefined) {
      it.error.recoveryAttempt ??= earlier;
      it.error.recovered ??= false;
    }
  }
}
