import { SpantrackConfigError } from '@spantrack/processor/translate';

/** The variable (after `SPANTRACK_COLLECTOR_`) that sets `store`. */
export const STORE_ENV = 'STORE';

/**
 * `store`: a DuckDB file, `:memory:`, or `false` (`off` in the environment) for none.
 * Off by default: a collector writes no file unless asked (`npm start` asks for `.data/events.duckdb`).
 */
export function resolveStoreSetting(
  given: string | false | undefined,
  env: Record<string, string | undefined>,
): string | false {
  if (given === false) return false;
  if (given !== undefined) {
    if (typeof given !== 'string' || given.trim() === '')
      throw new SpantrackConfigError('store', 'expected a DuckDB file path, ":memory:" or false');
    return given;
  }
  const raw = env[`SPANTRACK_COLLECTOR_${STORE_ENV}`]?.trim();
  if (raw === undefined || raw === '' || raw.toLowerCase() === 'off') return false;
  return raw;
}

/**
 * One process owns a DuckDB file: a store with `--workers N` > 1 is a configuration error (one
 * process ingests above the 50,000 events/s target with the store on, so there is nothing to gain).
 */
export function checkStoreWorkers(store: string | false, workers: number): void {
  if (store !== false && workers > 1)
    throw new SpantrackConfigError(
      `SPANTRACK_COLLECTOR_${STORE_ENV}`,
      `a store is owned by one process; run it with --workers 1 (got --workers ${workers}), or set --store off`,
    );
}
