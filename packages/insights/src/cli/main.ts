import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { createDashboardHandler } from '../dashboard/handler';
import { EXPORT_FORMATS, type ExportFormat } from '../export/export-conversations';
import { writeExportFile, writeTextExport } from '../export/write-export';
import { FILTER_FIELDS, type Filters, InvalidFilterError } from '../metrics/filters';
import { formatReport } from '../report/format-report';
import { followJsonl, openSource, UsageError } from './open-source';

export const USAGE = `Usage:
  spantrack dashboard (--store FILE.duckdb | --events FILE.jsonl) [--port 4319] [--host 127.0.0.1]
  spantrack report    (--store FILE.duckdb | --events FILE.jsonl) [--json] [filters]
  spantrack export    (--store FILE.duckdb | --events FILE.jsonl) --format csv|jsonl|parquet [--out FILE] [filters]

Filters: --from YYYY-MM-DD --to YYYY-MM-DD (inclusive) --channel TYPE --assistant NAME --customer ID
--store defaults to SPANTRACK_INSIGHTS_STORE, else .data/events.duckdb.`;

const OPTIONS = {
  store: { type: 'string' },
  events: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  json: { type: 'boolean' },
  format: { type: 'string' },
  out: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  channel: { type: 'string' },
  assistant: { type: 'string' },
  customer: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs the CLI; resolves with the exit code (the dashboard resolves once it is listening). */
export async function main(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    err.write(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  const command = positionals[0];
  if (values.help || command === undefined) {
    (values.help ? out : err).write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const filters: Filters = {};
  for (const field of FILTER_FIELDS) if (values[field] !== undefined) filters[field] = values[field];
  try {
    if (!['dashboard', 'report', 'export'].includes(command) || positionals.length > 1) {
      throw new UsageError(`unknown command ${positionals.join(' ')}`);
    }
    if (command === 'export' && !EXPORT_FORMATS.includes(values.format as ExportFormat)) {
      throw new UsageError(`--format must be one of ${EXPORT_FORMATS.join(', ')}`);
    }
    if (command === 'export' && values.format === 'parquet' && !values.out) {
      throw new UsageError('--format parquet needs --out FILE');
    }
    const store = await openSource({ store: values.store, events: values.events });
    if (command === 'dashboard') {
      const port = Number(values.port ?? 4319);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port ${values.port}`);
      const handler = createDashboardHandler({ store });
      const server = createServer((req, res) => {
        if (!handler(req, res)) {
          res.writeHead(404, { 'content-type': 'text/plain' });
          res.end('not found\n');
        }
      });
      // Handlers before the server listens: a signal just after the address is printed (a
      // supervisor's cue that it is up) closes the store, instead of ending the process mid-write.
      const stop = () => {
        server.close();
        server.closeAllConnections();
        store.shutdown().finally(() => process.exit(0));
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      if (values.events) followJsonl(store, values.events);
      await new Promise<void>((resolve) => server.listen(port, values.host ?? '127.0.0.1', resolve));
      const address = server.address();
      const shown =
        typeof address === 'object' && address ? `http://${address.address}:${address.port}/` : '';
      out.write(`spantrack dashboard on ${shown}\n`);
      return 0;
    }
    try {
      if (command === 'report') {
        const overview = await store.insights.overview(filters);
        out.write(values.json ? `${JSON.stringify(overview, null, 2)}\n` : `${formatReport(overview)}\n`);
      } else {
        const format = values.format as ExportFormat;
        const rows = values.out
          ? await writeExportFile(store.insights, filters, format, values.out)
          : await writeTextExport(store.insights, filters, format as 'csv' | 'jsonl', out);
        err.write(`exported ${rows} conversations${values.out ? ` to ${values.out}` : ''}\n`);
      }
    } finally {
      await store.shutdown();
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      err.write(`${error.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (error instanceof InvalidFilterError) {
      err.write(`${error.message}\n`);
      return 2;
    }
    err.write(`spantrack: ${(error as Error).message}\n`);
    return 1;
  }
}
