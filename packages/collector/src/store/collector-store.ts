import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Meter } from '@opentelemetry/api';
import type { Insights } from '@spantrack/insights';
import { FanOutSink, type Sink } from '@spantrack/processor';
import type { LogEvent } from '../log/log-event';
import { DashboardAuth } from './dashboard-auth';

/** What the collector reports about its store. */
export interface StoreStats {
  path: string;
  /** Messages written to the store. */
  stored: number;
  /** Messages the store could not take (full queue, write error, unstorable); best-effort, so only counted. */
  failed: number;
  /** Deliveries whose acknowledgement waited for the store's queue to shrink (see `STORE_HIGH_WATER`). */
  paced: number;
}

/** The store beside the collector's sink, and the dashboard over it. */
export interface CollectorStore {
  /**
   * Delivers to the primary sink (what requests are acknowledged on) and, best-effort, to the
   * store; while the store is far behind, a delivery resolves only once it has caught up.
   */
  readonly sink: Sink;
  /** Answers `/` and `/api/*`; false for any other path. */
  readonly dashboard: (req: IncomingMessage, res: ServerResponse) => boolean;
  stats(): StoreStats;
  /** The dashboard's queries over the store. */
  readonly insights: Insights;
  /** Resolves once everything delivered so far is written to the store. */
  flush(): Promise<void>;
  /** Registers the store's counter on the collector's meter, read at collection. */
  observe(meter: Meter): void;
  /** Writes what is queued and closes the store alone (when the caller owns the primary sink). */
  closeStore(): Promise<void>;
}

/** Rows per DuckDB transaction: the fixed cost of a transaction and its INSERT is shared by more rows. */
const STORE_BATCH_SIZE = 10_000;
/**
 * How long rows wait for more when the store's writer is idle. Under load this never decides a
 * batch: what arrives while one batch is written is the next one. It delays the rows that end a
 * burst (and a trickle of requests): at 250 ms, that wait was 10-20 % of a burst of 75,000 events
 * from first request to last row stored. 20 ms keeps a trickle at 50 transactions a second at most.
 */
const STORE_FLUSH_INTERVAL_MS = 20;

/**
 * Flow control: with more than this many messages waiting for the store, a delivery's result (and
 * so its request's answer) waits until the store has taken enough of them. Senders then go at the
 * pace the store keeps, instead of filling its queue until it refuses messages (maxQueuedMessages).
 * Two batches: one can be written while the next fills.
 */
export const STORE_HIGH_WATER = 2 * STORE_BATCH_SIZE;
/** The longest a delivery waits for the store: a stalled disk slows senders, it never stops them. */
export const STORE_MAX_WAIT_MS = 2_000;

/**
 * Opens the DuckDB event store (`@spantrack/insights`, loaded only when a store is asked for) and
 * puts it beside `primary`. The store's failures never fail a request; they are logged once per
 * failing batch and counted.
 */
export async function openCollectorStore(
  path: string,
  primary: Sink,
  bearerToken: string | undefined,
  log: (line: string, event: LogEvent) => void,
): Promise<CollectorStore> {
  const { createEventStore, createDashboardHandler } = await import('@spantrack/insights');
  const store = await createEventStore({
    path,
    batchSize: STORE_BATCH_SIZE,
    flushIntervalMs: STORE_FLUSH_INTERVAL_MS,
  });
  const fanOut = new FanOutSink({
    primary: { name: 'sink', sink: primary },
    secondary: [{ name: 'store', sink: store }],
    onSecondaryResult: (_name, result) => {
      if (result.failed === 0) return;
      const reason = result.errors[0]?.error.message ?? 'unknown';
      log(`store failed ${result.failed} message(s): ${reason}`, {
        level: 'warn',
        msg: 'store failing',
        failed: result.failed,
        error: reason,
      });
    },
  });
  const handler = createDashboardHandler({ store });
  const auth = new DashboardAuth(bearerToken);
  const storeTotals = () => fanOut.stats().find((s) => s.name === 'store')!;
  const pacing = { paced: 0 };
  const sink = pacedByStore(fanOut, store, pacing);
  return {
    sink,
    dashboard: (req, res) => auth.handle(req, res, handler),
    insights: store.insights,
    flush: () => store.flush(),
    closeStore: () => store.shutdown(),
    stats: () => ({
      path,
      stored: storeTotals().delivered,
      failed: storeTotals().failed,
      paced: pacing.paced,
    }),
    observe: (meter) => {
      const messages = meter.createObservableCounter('spantrack.collector.store_messages', {
        description: 'Messages written to the event store, by outcome.',
      });
      messages.addCallback((result) => {
        const s = storeTotals();
        result.observe(s.delivered, { outcome: 'stored' });
        result.observe(s.failed, { outcome: 'failed' });
      });
      meter
        .createObservableCounter('spantrack.collector.store_batches', {
          description:
            'Batches written to the event store, by path: fast, or slow (text the JSON reader refuses, appended row by row).',
        })
        .addCallback((result) => {
          for (const [path, n] of Object.entries(store.batches)) result.observe(n, { path });
        });
      meter
        .createObservableCounter('spantrack.collector.store_duplicates', {
          description:
            'Messages the event store held already when they came again (counted as stored, not written twice).',
        })
        .addCallback((result) => result.observe(store.duplicates));
      meter
        .createObservableCounter('spantrack.collector.store_paced_deliveries', {
          description: 'Deliveries whose acknowledgement waited for the event store to catch up.',
        })
        .addCallback((result) => result.observe(pacing.paced));
    },
  };
}

/** The part of the store that pacing needs. */
interface StoreQueue {
  readonly queued: number;
  queuedAtMost(limit: number, maxWaitMs: number): Promise<void>;
}

/**
 * `sink` whose deliveries resolve only once at most `highWater` messages wait for the store, or
 * after `maxWaitMs`, whichever comes first. `counts.paced` counts the deliveries that waited.
 */
export function pacedByStore(
  sink: Sink,
  store: StoreQueue,
  counts: { paced: number },
  highWater = STORE_HIGH_WATER,
  maxWaitMs = STORE_MAX_WAIT_MS,
): Sink {
  return {
    send: async (messages) => {
      const result = await sink.send(messages);
      if (store.queued > highWater) {
        counts.paced++;
        await store.queuedAtMost(highWater, maxWaitMs);
      }
      return result;
    },
    flush: (timeoutMs) => sink.flush(timeoutMs),
    shutdown: (timeoutMs) => sink.shutdown(timeoutMs),
  };
}
