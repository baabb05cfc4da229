import type { CollectorStats } from '../collector';

/** What a worker can ask about the whole collector. */
export type Question = 'metrics' | 'notReady' | 'health';

/** Messages from a worker to the primary, over the cluster's IPC channel. */
export type WorkerMessage =
  | { t: 'listening'; httpUrl: string | undefined; grpcUrl: string | undefined; sink: string; ack: string }
  /** A worker answering an HTTP request about the whole asks the primary, which asks every worker. */
  | { t: 'ask'; id: number; question: Question }
  /** A worker's own answer, for the primary's round of questions. */
  | { t: 'local'; id: number; answer: string | undefined }
  | { t: 'stopped'; stats: CollectorStats };

/** Messages from the primary to a worker. */
export type PrimaryMessage =
  | { t: 'local?'; id: number; question: Question }
  | { t: 'answer'; id: number; answer: string | undefined }
  /** Stop accepting, finish open requests, flush, exit (SIGTERM / SIGINT to the primary). */
  | { t: 'drain' };

export const WORKER_INDEX_ENV = 'SPANTRACK_COLLECTOR_WORKER_INDEX';
