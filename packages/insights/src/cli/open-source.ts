import { existsSync, statSync } from 'node:fs';
import { createEventStore, type DuckDbStoreSink } from '../store/duckdb-store-sink';
import { ingestJsonl } from '../store/ingest-jsonl';

/** Where the CLI reads events from: a DuckDB store file, or a JSONL file loaded into memory. */
export interface EventSource {
  store?: string;
  events?: string;
}

/** A usage problem: printed with the usage, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Opens the store the options name; `--events` files are read into an in-memory store. */
export async function openSource(source: EventSource): Promise<DuckDbStoreSink> {
  if (source.store && source.events) throw new UsageError('give --store or --events, not both');
  if (source.events) {
    try {
      statSync(source.events);
    } catch {
      throw new UsageError(`cannot read ${source.events}`);
    }
    const store = await createEventStore({ path: ':memory:', retentionDays: 0 });
    await ingestJsonl(store, source.events);
    return store;
  }
  // The CLI reads a store; it never creates an empty one where a path was mistyped.
  const path = source.store ?? process.env.SPANTRACK_INSIGHTS_STORE ?? '.data/events.duckdb';
  if (!existsSync(path))
    throw new UsageError(`no event store at ${path} (give --store FILE or --events FILE.jsonl)`);
  return createEventStore({ path, retentionDays: 0 });
}

/**
 * Re-reads a growing JSONL file into the store every `intervalMs` (the store keeps each messageId
 * once, so re-reading is harmless). Returns the function that stops watching.
 */
export function followJsonl(store: DuckDbStoreSink, file: string, intervalMs = 2_000): () => void {
  let size = statSync(file).size;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    let now: number;
    try {
      now = statSync(file).size;
    } catch {
      return;
    }
    if (now === size) return;
    size = now;
    busy = true;
    ingestJsonl(store, file)
      .catch(() => {})
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
