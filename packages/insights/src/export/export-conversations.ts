import type { Insights } from '../insights';
import type { Filters } from '../metrics/filters';
import { MAX_LIMIT } from '../metrics/run-metric';
import type { Row } from '../store/serial-connection';

export type ExportFormat = 'csv' | 'jsonl' | 'parquet';
export const EXPORT_FORMATS: readonly ExportFormat[] = ['csv', 'jsonl', 'parquet'];

/** Columns of an exported conversation, in order. */
export const EXPORT_COLUMNS = [
  'conversation_id',
  'channel',
  'assistant',
  'customer',
  'started_at',
  'last_at',
  'messages',
  'customer_messages',
  'agent_messages',
  'tool_calls',
  'cost_usd',
] as const;

/** Every conversation inside the filters, newest first, a page at a time. */
export async function* filteredConversations(insights: Insights, filters: Filters): AsyncGenerator<Row> {
  for (let offset = 0; ; offset += MAX_LIMIT) {
    const rows = await insights.metric('conversation_list', filters, { limit: MAX_LIMIT, offset });
    yield* rows;
    if (rows.length < MAX_LIMIT) return;
  }
}

function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = String(value);
  // A leading = + - @ makes a spreadsheet run the cell as a formula: such a cell gets a ' in front,
  // unless it is only a number or phone number (+254712345678), which no spreadsheet runs.
  const formula = /^[=+\-@\t\r]/.test(text) && !/^[+-]?[\d\s().-]+$/.test(text);
  const safe = formula && typeof value === 'string' ? `'${text}` : text;
  return /[",\n\r']/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvHeader(): string {
  return `${EXPORT_COLUMNS.join(',')}\n`;
}

export function csvLine(row: Row): string {
  return `${EXPORT_COLUMNS.map((c) => csvCell(row[c])).join(',')}\n`;
}

export function jsonLine(row: Row): string {
  const out: Record<string, unknown> = {};
  for (const c of EXPORT_COLUMNS) out[c] = row[c] ?? null;
  return `${JSON.stringify(out)}\n`;
}
