import { readSetting, SHARED_SETTINGS } from '@spantrack/processor';
import { SpantrackConfigError } from '@spantrack/processor/translate';

/**
 * `store`: a DuckDB file, `:memory:`, or `false` (`off` in the environment) for none; env
 * `SPANTRACK_STORE` (shared with `@spantrack/node`; `SPANTRACK_COLLECTOR_STORE` is its deprecated
 * spelling). Off by default: a collector writes no file unless asked (`npm start` asks for
 * `.data/events.duckdb`).
 */
export function resolveStoreSetting(
  given: string | false | undefined,
  env: Record<string, string | undefined>,
  warn: (message: string) => void = () => {},
): string | false {
  if (given === false) return false;
  if (given !== undefined) {
    if (typeof given !== 'string' || given.trim() === '')
      throw new SpantrackConfigError('store', 'expected a DuckDB file path, ":memory:" or false');
    return given;
  }
  return readSetting(SHARED_SETTINGS.store, env, { deprecatedAliases: true, warn })?.value ?? false;
}

/**
 * One process owns a DuckDB file (and the dashboard reads the store of the process serving it): a
 * store with an explicit `--workers N` > 1 is a configuration error; without `--workers`, a store
 * runs one process.
 */
export function checkStoreWorkers(store: string | false, workers: number): void {
  if (store !== false && workers > 1)
    throw new SpantrackConfigError(
      SHARED_SETTINGS.store.env!,
      `a store is owned by one process; run it with --workers 1 (got --workers ${workers}), or set --store off`,
    );
}
