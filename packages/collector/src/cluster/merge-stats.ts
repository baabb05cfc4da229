import type { CollectorStats } from '../collector';
import type { ForwardStats } from '../forward/trace-forwarder';

/** Totals of an empty collector: what the sum over no worker is. */
export function emptyStats(): CollectorStats {
  return {
    requests: 0,
    spansReceived: 0,
    spansRejected: 0,
    messagesTranslated: 0,
    messagesDelivered: 0,
    messagesFailed: 0,
    queueDepth: 0,
    sinkHealthy: true,
    forward: undefined,
    store: undefined,
  };
}

/**
 * The whole collector's figures from its workers' own: counts and depths add up, the sink is
 * healthy only when every worker's is. No worker has a store (a store runs one process).
 */
export function mergeStats(parts: readonly CollectorStats[]): CollectorStats {
  const total = emptyStats();
  for (const s of parts) {
    total.requests += s.requests;
    total.spansReceived += s.spansReceived;
    total.spansRejected += s.spansRejected;
    total.messagesTranslated += s.messagesTranslated;
    total.messagesDelivered += s.messagesDelivered;
    total.messagesFailed += s.messagesFailed;
    total.queueDepth += s.queueDepth;
    total.sinkHealthy &&= s.sinkHealthy;
    if (s.forward !== undefined) total.forward = addForward(total.forward, s.forward);
  }
  return total;
}

/** A stopped or dead worker's figures: its counts stay in the totals, nothing of it is queued. */
export function retired(stats: CollectorStats): CollectorStats {
  return {
    ...stats,
    queueDepth: 0,
    sinkHealthy: true,
    forward: stats.forward && { ...stats.forward, queueBytes: 0, queueRequests: 0 },
  };
}

function addForward(a: ForwardStats | undefined, b: ForwardStats): ForwardStats {
  if (a === undefined) return { ...b };
  return {
    forwarded: a.forwarded + b.forwarded,
    retries: a.retries + b.retries,
    dropped: a.dropped + b.dropped,
    failed: a.failed + b.failed,
    duplicates: a.duplicates + b.duplicates,
    queueBytes: a.queueBytes + b.queueBytes,
    queueRequests: a.queueRequests + b.queueRequests,
  };
}
