import type { AnalyticsMessage, DeliveryResult, Sink } from '@spantrack/processor';
import { FanOutSink, SpantrackConfigError } from '@spantrack/processor';
import { isInstalled } from './instrumentations';

/** The optional package that holds the event store. */
export const INSIGHTS_PACKAGE = '@spantrack/insights';

/** Rows per DuckDB transaction: large batches are what makes the store's appender fast. */
const STORE_BATCH_SIZE = 5_000;

/**
 * The DuckDB event store as a `Sink`, usable at once: `setup()` is synchronous and opening DuckDB
 * is not, so messages wait (in the store's own order) until it is open. A store that cannot open
 * fails every message with the reason, which `stats()` counts; the application keeps running.
 * @throws SpantrackConfigError naming `source` when `@spantrack/insights` is not installed
 */
export function createStoreSink(path: string, source: string): Sink {
  if (!isInstalled(INSIGHTS_PACKAGE)) {
    throw new SpantrackConfigError(
      source,
      `the event store needs the optional package ${INSIGHTS_PACKAGE}: npm install ${INSIGHTS_PACKAGE} (or leave ${source} unset)`,
    );
  }
  return new OpeningStoreSink(path);
}

/** Puts the store beside the configured sink (the store alone when analytics go nowhere else). */
export function withStore(sink: Sink | undefined, store: Sink | undefined): Sink | undefined {
  if (store === undefined) return sink;
  if (sink === undefined) return store;
  return new FanOutSink({ primary: { name: 'sink', sink }, secondary: [{ name: 'store', sink: store }] });
}

class OpeningStoreSink implements Sink {
  private readonly opened: Promise<Sink | Error>;

  constructor(path: string) {
    this.opened = import(INSIGHTS_PACKAGE).then(
      (insights: typeof import('@spantrack/insights')) =>
        insights.createEventStore({ path, batchSize: STORE_BATCH_SIZE }).catch(toError),
      toError,
    );
  }

  async send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    const store = await this.opened;
    if (!(store instanceof Error)) return store.send(messages);
    return {
      delivered: 0,
      failed: messages.length,
      errors: messages.map((m) => ({ messageId: String(m?.messageId ?? ''), error: store })),
    };
  }

  async flush(timeoutMs?: number): Promise<void> {
    const store = await this.opened;
    if (!(store instanceof Error)) await store.flush(timeoutMs);
  }

  async shutdown(timeoutMs?: number): Promise<void> {
    const store = await this.opened;
    if (!(store instanceof Error)) await store.shutdown(timeoutMs);
  }
}

function toError(error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`the event store could not open: ${reason}`);
}
