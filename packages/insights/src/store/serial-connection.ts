import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api';

/** Rows as plain JavaScript values (numbers, strings, null; BigInt counts become numbers). */
export type Row = Record<string, unknown>;

/**
 * One DuckDB connection used by one caller at a time: a connection runs one statement at once, so
 * statements queue here instead of racing.
 */
export class SerialConnection {
  private tail: Promise<unknown> = Promise.resolve();

  constructor(readonly connection: DuckDBConnection) {}

  /** Runs `work` once every earlier piece of work on this connection has finished. */
  exclusive<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    const run = this.tail.then(
      () => work(this.connection),
      () => work(this.connection),
    );
    this.tail = run.catch(() => {});
    return run;
  }

  /** Runs a query with bound parameters and returns its rows. */
  query(sql: string, params: Record<string, DuckDBValue> = {}): Promise<Row[]> {
    return this.exclusive(async (c) => {
      const reader = await c.runAndReadAll(sql, params);
      return reader.getRowObjectsJS().map(plainRow);
    });
  }
}

/** What the metric queries run on: one connection or a pool. */
export interface QueryRunner {
  exclusive<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T>;
  query(sql: string, params?: Record<string, DuckDBValue>): Promise<Row[]>;
}

function plainRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [key, value] of Object.entries(row)) out[key] = plainValue(value);
  return out;
}

function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plainValue);
  return value;
}

/**
 * Several connections to one database, each used by one caller at a time: queries go to the one
 * with the least queued work, so a page's independent queries run side by side.
 */
export class ConnectionPool {
  private readonly queued: number[];

  constructor(private readonly connections: readonly SerialConnection[]) {
    if (connections.length === 0) throw new Error('a connection pool needs a connection');
    this.queued = connections.map(() => 0);
  }

  /** Runs `work` on the least busy connection. */
  exclusive<T>(work: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
    let best = 0;
    for (let i = 1; i < this.queued.length; i++) if (this.queued[i]! < this.queued[best]!) best = i;
    this.queued[best]! += 1;
    return this.connections[best]!.exclusive(work).finally(() => {
      this.queued[best]! -= 1;
    });
  }

  query(sql: string, params: Record<string, DuckDBValue> = {}): Promise<Row[]> {
    return this.exclusive(async (c) => (await c.runAndReadAll(sql, params)).getRowObjectsJS().map(plainRow));
  }

  /** Every connection, for closing them. */
  all(): readonly SerialConnection[] {
    return this.connections;
  }
}
