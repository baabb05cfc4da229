import { once } from 'node:events';
import { copyFileSync, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Insights } from '../insights';
import type { Filters } from '../metrics/filters';
import {
  csvHeader,
  csvLine,
  type ExportFormat,
  filteredConversations,
  jsonLine,
} from './export-conversations';

/** Streams the filtered conversations to `out` as CSV or JSONL. Returns the number of rows. */
export async function writeTextExport(
  insights: Insights,
  filters: Filters,
  format: 'csv' | 'jsonl',
  out: NodeJS.WritableStream,
): Promise<number> {
  let rows = 0;
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  if (format === 'csv') await write(csvHeader());
  for await (const row of filteredConversations(insights, filters)) {
    await write(format === 'csv' ? csvLine(row) : jsonLine(row));
    rows += 1;
  }
  return rows;
}

/**
 * Writes the filtered conversations to a file in any export format. Parquet goes through a JSONL
 * file in a private temporary folder that DuckDB converts: the only paths in that SQL are ours.
 */
export async function writeExportFile(
  insights: Insights,
  filters: Filters,
  format: ExportFormat,
  path: string,
): Promise<number> {
  if (format !== 'parquet') {
    const out = createWriteStream(path);
    const rows = await writeTextExport(insights, filters, format, out);
    await new Promise<void>((resolve, reject) =>
      out.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    return rows;
  }
  const dir = mkdtempSync(join(tmpdir(), 'spantrack-export-'));
  try {
    if (dir.includes("'")) throw new Error(`temporary folder ${dir} has a quote in its path; set TMPDIR`);
    const jsonl = join(dir, 'rows.jsonl');
    const parquet = join(dir, 'rows.parquet');
    const rows = await writeExportFile(insights, filters, 'jsonl', jsonl);
    await insights.connection.exclusive((c) =>
      c.run(
        rows === 0
          ? `COPY (SELECT NULL::VARCHAR AS conversation_id WHERE false) TO '${parquet}' (FORMAT parquet)`
          : `COPY (SELECT * FROM read_json('${jsonl}', format = 'newline_delimited')) TO '${parquet}' (FORMAT parquet)`,
      ),
    );
    copyFileSync(parquet, path);
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
