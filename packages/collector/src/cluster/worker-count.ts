import { availableParallelism } from 'node:os';
import { SpantrackConfigError } from '@spantrack/processor/translate';
import { checkStoreWorkers } from '../store/store-setting';

const ENV_NAME = 'SPANTRACK_COLLECTOR_WORKERS';

/**
 * How many processes serve the collector's ports:
 * `option ?? env SPANTRACK_COLLECTOR_WORKERS ?? (store ? 1 : cores)`. 1 keeps one process (no
 * cluster primary). A DuckDB store (and the dashboard over it) is owned by one process, so with
 * `store` the default is 1 and an explicit count above 1 is refused.
 * @default `os.availableParallelism()`, or 1 with a store
 * @throws SpantrackConfigError when it is not a positive integer, or above 1 with a store
 */
export function resolveWorkers(
  option: number | undefined,
  env: Record<string, string | undefined>,
  store: string | false = false,
  cores: number = availableParallelism(),
): number {
  const raw = env[ENV_NAME];
  const fromEnv = raw === undefined || raw.trim() === '' ? undefined : Number(raw);
  const given = option ?? fromEnv;
  if (given === undefined) return store !== false ? 1 : Math.max(1, cores);
  if (!Number.isInteger(given) || given < 1) {
    throw new SpantrackConfigError(
      option !== undefined ? 'workers' : ENV_NAME,
      `must be a positive integer, not ${JSON.stringify(option ?? raw)}`,
    );
  }
  checkStoreWorkers(store, given);
  return given;
}
