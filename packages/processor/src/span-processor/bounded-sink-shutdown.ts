import { diag } from '@opentelemetry/api';
import { Deadline } from '../deadline';
import type { Sink } from '../sinks/sink';

/** What the span processor and the span exporter share for flushing and shutting down in bounded time. */
export interface BoundedSinkOwner {
  /** Prefixes every warning, e.g. `AnalyticsSpanProcessor`. */
  readonly name: string;
  readonly sink: Sink;
  /** The one budget a flush, or a flush plus the sink's shutdown, gets. */
  readonly timeoutMillis: number;
  /** Delivers everything the owner still holds, until `deadline`. */
  flushAll(deadline: Deadline): Promise<void>;
}

/** Runs `owner.flushAll` within `timeoutMillis`. Never rejects; warns when it fails or runs late. */
export function flushWithin(owner: BoundedSinkOwner): Promise<void> {
  const deadline = Deadline.in(owner.timeoutMillis);
  return within(owner, deadline, owner.flushAll(deadline), 'forceFlush');
}

/**
 * Flushes, then shuts the sink down, both within one `timeoutMillis`: the sink gets what is left
 * of it. Never rejects.
 */
export async function flushThenShutdown(owner: BoundedSinkOwner): Promise<void> {
  const deadline = Deadline.in(owner.timeoutMillis);
  await within(owner, deadline, owner.flushAll(deadline), 'shutdown');
  const closing = owner.sink.shutdown(deadline.remaining()).catch((error: unknown) => {
    diag.warn(`${owner.name}: sink shutdown failed`, error);
  });
  if (!(await deadline.race(closing))) {
    diag.warn(`${owner.name}: sink shutdown did not finish within ${owner.timeoutMillis} ms`);
  }
}

/** Waits for `work` until the deadline; warns when it passes first. Never rejects. */
async function within(
  owner: BoundedSinkOwner,
  deadline: Deadline,
  work: Promise<void>,
  what: string,
): Promise<void> {
  const guarded = work.catch((error: unknown) => diag.warn(`${owner.name}: ${what} failed`, error));
  if (!(await deadline.race(guarded))) {
    diag.warn(`${owner.name}: ${what} did not finish within ${owner.timeoutMillis} ms`);
  }
}
