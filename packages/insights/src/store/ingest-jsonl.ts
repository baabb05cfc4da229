import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AnalyticsMessage, Sink } from '@spantrack/processor';

export interface IngestResult {
  /** Non-empty lines read. */
  lines: number;
  /** Messages the store accepted (a messageId already stored counts once, as in Segment). */
  stored: number;
  /** Lines that were not JSON objects, or messages the store refused. */
  skipped: number;
}

/**
 * Reads a JSONL file of Segment messages (what the JSONL sink writes) into a sink, in batches of
 * `batchSize` (default 1,000). A torn or foreign line is skipped and counted, never fatal.
 */
export async function ingestJsonl(sink: Sink, file: string, batchSize = 1_000): Promise<IngestResult> {
  const result: IngestResult = { lines: 0, stored: 0, skipped: 0 };
  let batch: AnalyticsMessage[] = [];
  const sendBatch = async () => {
    if (batch.length === 0) return;
    const delivery = await sink.send(batch);
    result.stored += delivery.delivered;
    result.skipped += delivery.failed;
    batch = [];
  };
  const lines = createInterface({
    input: createReadStream(file, 'utf8'),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    result.lines += 1;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      result.skipped += 1;
      continue;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      result.skipped += 1;
      continue;
    }
    batch.push(parsed as AnalyticsMessage);
    if (batch.length >= batchSize) await sendBatch();
  }
  await sendBatch();
  await sink.flush();
  return result;
}
