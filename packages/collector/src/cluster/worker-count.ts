import { SpantrackConfigError } from '@spantrack/processor/translate';

const ENV_NAME = 'SPANTRACK_COLLECTOR_WORKERS';

/**
 * How many processes serve the collector's ports: `option ?? env SPANTRACK_COLLECTOR_WORKERS ?? 1`.
 * 1 keeps one process (no cluster primary). The default is one process, not the number of cores:
 * under several workers the summary lines, the trace forwarder's duplicate window and the JSONL
 * sink are each per worker (docs/collector-workers.md).
 * @default 1
 * @throws SpantrackConfigError when it is not a positive integer
 */
export function resolveWorkers(option: number | undefined, env: Record<string, string | undefined>): number {
  const raw = env[ENV_NAME];
  const fromEnv = raw === undefined || raw.trim() === '' ? undefined : Number(raw);
  const workers = option ?? fromEnv ?? 1;
  if (!Number.isInteger(workers) || workers < 1) {
    throw new SpantrackConfigError(
      option !== undefined ? 'workers' : ENV_NAME,
      `must be a positive integer, not ${JSON.stringify(option ?? raw)}`,
    );
  }
  return workers;
}
