import type { CollectorStats } from '../collector';
import type { LogEvent } from '../log/log-event';

/**
 * What a worker can ask about the whole collector; `stats` is the primary's own question (its
 * summary line), answered by each worker with its `CollectorStats` as JSON.
 */
export type Question = 'metrics' | 'notReady' | 'health' | 'stats';

/** Messages from a worker to the primary, over the cluster's IPC channel. */
export type WorkerMessage =
  /** Serving; `started` is the startup line a single process would print (the primary prints the first). */
  | { t: 'listening'; started: { line: string; event: LogEvent }; sink: string; ack: string }
  /** A worker answering an HTTP request about the whole asks the primary, which asks every worker. */
  | { t: 'ask'; id: number; question: Question }
  /** A worker's own answer, for the primary's round of questions. */
  | { t: 'local'; id: number; answer: string | undefined }
  | { t: 'stopped'; stats: CollectorStats }
  /** It could not start (a port taken, a sink refused): the primary says why, once. */
  | { t: 'failed'; reason: string };

/** Messages from the primary to a worker. */
export type PrimaryMessage =
  | { t: 'local?'; id: number; question: Question }
  | { t: 'answer'; id: number; answer: string | undefined }
  /** Stop accepting, finish open requests, flush, exit (SIGTERM / SIGINT to the primary). */
  | { t: 'drain' };

export const WORKER_INDEX_ENV = 'SPANTRACK_COLLECTOR_WORKER_INDEX';
