/** `send` after `shutdown`. */
export class StoreClosedError extends Error {
  constructor(message = 'event store is shut down') {
    super(message);
    this.name = 'StoreClosedError';
  }
}

/** More messages are waiting to be written than `maxQueuedMessages` allows; these were refused. */
export class StoreFullError extends Error {
  constructor(readonly limit: number) {
    super(`event store queue is full (${limit} messages waiting); messages refused`);
    this.name = 'StoreFullError';
  }
}

/** Writing a batch to DuckDB failed; its messages were not stored. */
export class StoreWriteError extends Error {
  constructor(cause: unknown) {
    super(`event store write failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StoreWriteError';
  }
}
