/** Options of the event store; each resolved as `option ?? environment variable ?? default` in `resolveStoreOptions`. */
export interface EventStoreOptions {
  /** DuckDB database file, or `:memory:`. Default `SPANTRACK_INSIGHTS_STORE` ?? `.data/events.duckdb`. */
  path?: string;
  /** Events older than this many days are deleted; 0 keeps everything. Default `SPANTRACK_INSIGHTS_RETENTION_DAYS` ?? 90. */
  retentionDays?: number;
  /** How often retention runs. Default 1 hour (it also runs when the store opens). */
  retentionIntervalMs?: number;
  /** Rows written per transaction. Default 1,000. */
  batchSize?: number;
  /** How long a partly filled batch waits before it is written. Default 500 ms. */
  flushIntervalMs?: number;
  /** Messages waiting to be written before `send` refuses more (`StoreFullError`). Default 100,000. */
  maxQueuedMessages?: number;
  /**
   * Converts and encodes messages on a worker thread of the store's own, so that the caller's
   * thread (a collector's, an agent's) only hands them over. Default true; false, or a build
   * without the thread's script, keeps that work on the caller's thread.
   */
  encoderThread?: boolean;
}

export interface ResolvedStoreOptions {
  path: string;
  retentionDays: number;
  retentionIntervalMs: number;
  batchSize: number;
  flushIntervalMs: number;
  maxQueuedMessages: number;
  encoderThread: boolean;
}

/** A store option that cannot be used (a negative retention, a batch size of 0, ...). */
export class StoreConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreConfigError';
  }
}

function envNumber(name: string, env: NodeJS.ProcessEnv): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new StoreConfigError(`${name}=${raw} is not a number`);
  return n;
}

function check(name: string, value: number, min: number): number {
  if (!Number.isFinite(value) || value < min)
    throw new StoreConfigError(`${name} must be a number >= ${min}`);
  return value;
}

export function resolveStoreOptions(
  options: EventStoreOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): ResolvedStoreOptions {
  const path = options.path ?? env.SPANTRACK_INSIGHTS_STORE ?? '.data/events.duckdb';
  if (path === '') throw new StoreConfigError('path must not be empty');
  return {
    path,
    retentionDays: check(
      'retentionDays',
      options.retentionDays ?? envNumber('SPANTRACK_INSIGHTS_RETENTION_DAYS', env) ?? 90,
      0,
    ),
    retentionIntervalMs: check('retentionIntervalMs', options.retentionIntervalMs ?? 3_600_000, 1),
    batchSize: Math.floor(check('batchSize', options.batchSize ?? 1_000, 1)),
    flushIntervalMs: check('flushIntervalMs', options.flushIntervalMs ?? 500, 0),
    maxQueuedMessages: Math.floor(check('maxQueuedMessages', options.maxQueuedMessages ?? 100_000, 1)),
    encoderThread: options.encoderThread ?? true,
  };
}
