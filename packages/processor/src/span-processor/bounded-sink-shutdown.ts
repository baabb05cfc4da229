import { diag } from '@opentelemetry/api';
import { Deadline } from '../deadline';
import type { Sink } from '../sinks/sink';

/** What a {@link BoundedSinkLifecycle} flushes and shuts down. */
interface BoundedSinkOwner {
  /** Prefixes every warning, e.g. `AnalyticsSpanProcessor`. */
  readonly name: string;
  readonly sink: Sink;
  /** The one budget a flush, or a flush plus the sink's shutdown, gets. */
  readonly timeoutMillis: number;
  /** Delivers everything the owner still holds, until `deadline`. */
  flushAll(deadline: Deadline): Promise<void>;
  /** Stops the owner's own timers, once, when shutdown begins. */
  stop(): void;
}

/**
 * Flush and shutdown of the span processor and the span exporter, each bounded by the owner's
 * `timeoutMillis`; remembers whether shutdown was asked for.
 */
export class BoundedSinkLifecycle {
  private shutdownPromise: Promise<void> | undefined;

  private readonly owner: BoundedSinkOwner;

  constructor(
    name: string,
    sink: Sink,
    timeoutMillis: number,
    steps: Pick<BoundedSinkOwner, 'flushAll' | 'stop'>,
  ) {
    this.owner = { name, sink, timeoutMillis, flushAll: steps.flushAll, stop: steps.stop };
  }

  /** True once `shutdown` was called (not while its own first step runs). */
  get shutDown(): boolean {
    return this.shutdownPromise !== undefined;
  }

  /** Runs `owner.flushAll` within `timeoutMillis`. Never rejects; warns when it fails or runs late. */
  flush(): Promise<void> {
    return flushWithin(this.owner);
  }

  /** Stops the owner's timers, then flushes and shuts the sink down, once. Idempotent. */
  shutdown(): Promise<void> {
    if (this.shutdownPromise === undefined) {
      this.owner.stop();
      this.shutdownPromise = flushThenShutdown(this.owner);
    }
    return this.shutdownPromise;
  }
}

function flushWithin(owner: BoundedSinkOwner): Promise<void> {
  const deadline = Deadline.in(owner.timeoutMillis);
  return within(owner, deadline, owner.flushAll(deadline), 'forceFlush');
}

/**
 * Flushes, then shuts the sink down, both within one `timeoutMillis`: the sink gets what is left
 * of it. Never rejects.
 */
async function flushThenShutdown(owner: BoundedSinkOwner): Promise<void> {
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
