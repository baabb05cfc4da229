import { EVENT_COLUMNS, type EventColumn } from '../store/schema';
import { snakeCase } from '../warehouse/snake-case';
import { WAREHOUSE_EVENT_COLUMNS } from '../warehouse/warehouse-columns';

/** Where the events live: the local DuckDB store, or the tables Segment's warehouse destinations write. */
export type Layout = 'local' | 'warehouse';

/** `ev` over the local store: its track events, as stored. */
const LOCAL_EV = `ev AS (SELECT * FROM events WHERE type = 'track')`;

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** One event table's rows in the `ev` shape; columns the event does not have are NULL. */
function warehouseSelect(
  event: string,
  columns: Partial<Record<EventColumn | 'channel_type', string>>,
): string {
  const table = quoteIdent(snakeCase(event));
  const select = EVENT_COLUMNS.map(([name, type]) => {
    let expr: string;
    switch (name) {
      case 'message_id':
        expr = 'id';
        break;
      case 'type':
        expr = `'track'`;
        break;
      case 'event':
        expr = 'event_text';
        break;
      case 'ts':
        expr = 'CAST("timestamp" AS TIMESTAMP)';
        break;
      case 'user_id':
      case 'anonymous_id':
        expr = name;
        break;
      case 'channel':
        expr = columns.channel_type ? 'coalesce(context_channel, channel_type)' : 'context_channel';
        break;
      case 'properties':
        expr = 'NULL';
        break;
      default: {
        const column = columns[name];
        expr = column === undefined ? 'NULL' : quoteIdent(column);
      }
    }
    return `CAST(${expr} AS ${type}) AS ${name}`;
  });
  return `SELECT ${select.join(', ')} FROM ${table}`;
}

/** `ev` over Segment's warehouse layout: the event tables the metrics read, unioned into one shape. */
const WAREHOUSE_EV = `ev AS (\n${Object.entries(WAREHOUSE_EVENT_COLUMNS)
  .map(([event, columns]) => `  ${warehouseSelect(event, columns)}`)
  .join('\n  UNION ALL\n')}\n)`;

export function evCte(layout: Layout): string {
  return layout === 'local' ? LOCAL_EV : WAREHOUSE_EV;
}
