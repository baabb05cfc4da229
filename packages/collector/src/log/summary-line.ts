import type { CollectorStats } from '../collector';
import type { LogEvent } from './log-event';

/** The figures of the summary line, as `snake_case` fields. */
export function summaryFields(stats: CollectorStats): Record<string, number> {
  const fields: Record<string, number> = {
    requests: stats.requests,
    spans: stats.spansReceived,
    events_delivered: stats.messagesDelivered,
    events_failed: stats.messagesFailed,
    queue_depth: stats.queueDepth,
  };
  if (stats.forward !== undefined) {
    fields.forwarded = stats.forward.forwarded;
    fields.forward_retries = stats.forward.retries;
    fields.forward_failed = stats.forward.failed;
    fields.forward_dropped = stats.forward.dropped;
    fields.forward_queue_requests = stats.forward.queueRequests;
    fields.forward_queue_bytes = stats.forward.queueBytes;
  }
  return fields;
}

/** One summary line (text and event) of `stats`. */
export function summaryLine(stats: CollectorStats): { line: string; event: LogEvent } {
  const f = summaryFields(stats);
  let line =
    `${f.requests} requests, ${f.spans} spans; events: ${f.events_delivered} delivered, ` +
    `${f.events_failed} failed, ${f.queue_depth} queued`;
  if (stats.forward !== undefined) {
    line +=
      `; traces: ${f.forwarded} forwarded, ${f.forward_retries} retried, ${f.forward_failed} failed, ` +
      `${f.forward_dropped} dropped, ${f.forward_queue_requests} queued (${f.forward_queue_bytes} bytes)`;
  }
  return { line, event: { level: 'info', msg: 'summary', ...f } };
}

/**
 * Prints a summary line every `intervalMs` when a figure changed since the last one printed (an
 * idle collector stays silent). Returns the function that stops it.
 */
export function startSummary(
  stats: () => CollectorStats,
  intervalMs: number,
  write: (line: string, event: LogEvent) => void,
): () => void {
  let last = JSON.stringify(summaryFields(stats()));
  const timer = setInterval(() => {
    const current = stats();
    const key = JSON.stringify(summaryFields(current));
    if (key === last) return;
    last = key;
    const { line, event } = summaryLine(current);
    write(line, event);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
