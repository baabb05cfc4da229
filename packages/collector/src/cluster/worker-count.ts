import { availableParallelism } from 'node:os';
import { SpantrackConfigError } from '@spantrack/processor';

const ENV_NAME = 'SPANTRACK_COLLECTOR_WORKERS';

/**
 * How many processes serve the collector's ports: `option ?? env SPANTRACK_COLLECTOR_WORKERS ??
 * the number of cores`. 1 keeps one process (no cluster primary).
 * @default os.availableParallelism()
 * @throws SpantrackConfigError when it is not a positive integer
 */
export function resolveWorkers(option: number | undefined, env: Record<string, string | undefined>): number {
  const raw = env[ENV_NAME];
  const fromEnv = raw === undefined || raw.trim() === '' ? undefined : Number(raw);
  const workers = option ?? fromEnv ?? availableParallelism();
  if (!Number.isInteger(workers) || workers < 1) {
    throw new SpantrackConfigError(
      option !== undefined ? 'workers' : ENV_NAME,
      `must be a positive integer, not ${JSON.stringify(option ?? raw)}`,
    );
  }
  return workers;
}
