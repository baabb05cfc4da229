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
