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
 * idle collector stays silent). `stats` may answer later (the primary of `--workers N` asks its
 * workers); a round still waiting skips the next tick. Returns the function that stops it.
 */
export function startSummary(
  stats: () => CollectorStats | Promise<CollectorStats>,
  intervalMs: number,
  write: (line: string, event: LogEvent) => void,
): () => void {
  let last: string | undefined;
  let waiting = false;
  let stopped = false;
  const tick = async () => {
    if (waiting) return;
    waiting = true;
    try {
      const current = await stats();
      const key = JSON.stringify(summaryFields(current));
      // The first round only sets the baseline.
      if (last !== undefined && key !== last && !stopped) {
        const { line, event } = summaryLine(current);
        write(line, event);
      }
      last = key;
    } catch {
      // No figures this round (a worker gone mid-question): the next round tries again.
    } finally {
      waiting = false;
    }
  };
  void tick();
  const timer = setInterval(() => void tick(), intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
