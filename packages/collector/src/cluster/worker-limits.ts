import { SpantrackConfigError } from '@spantrack/processor/translate';
import type { ResolvedConfig } from '../config';

/** The limits that bound the whole collector's memory, which its workers share. */
export type SharedLimits = Pick<ResolvedConfig, 'maxQueuedMessages' | 'maxBufferedBytes'>;

/**
 * Each worker's part of the collector's limits: the queue (messages awaiting the sink) and the
 * request-body budget are divided so that the workers' parts add up to exactly the configured
 * totals (the first `total % workers` workers get one more). Per-request limits are not divided.
 * @throws SpantrackConfigError when a total is smaller than the number of workers
 */
export function divideLimits(totals: SharedLimits, workers: number): SharedLimits[] {
  const queue = split('maxQueuedMessages', totals.maxQueuedMessages, workers);
  const body = split('maxBufferedBytes', totals.maxBufferedBytes, workers);
  return queue.map((maxQueuedMessages, i) => ({ maxQueuedMessages, maxBufferedBytes: body[i]! }));
}

function split(name: string, total: number, parts: number): number[] {
  if (total < parts) {
    throw new SpantrackConfigError(name, `${total} cannot be shared by ${parts} workers (one each at least)`);
  }
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}

/** The environment that gives a worker its part (flags reach workers as environment variables). */
export function limitsEnv(limits: SharedLimits): Record<string, string> {
  return {
    SPANTRACK_COLLECTOR_MAX_QUEUED_MESSAGES: String(limits.maxQueuedMessages),
    SPANTRACK_COLLECTOR_MAX_BUFFERED_BYTES: String(limits.maxBufferedBytes),
  };
}
