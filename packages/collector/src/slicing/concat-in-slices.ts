import { TimeSlice } from './time-slice';

/** Below this many bytes `Buffer.concat` is quick enough to run in one go. */
const ONE_GO_BYTES = 1024 * 1024;

/**
 * `Buffer.concat(chunks, size)` copied a few milliseconds at a time: a 32 MiB body (a fresh
 * allocation, page faults included) takes tens of milliseconds to copy, too long to hold the loop.
 */
export async function concatInSlices(
  chunks: readonly Buffer[],
  size: number,
  slice = new TimeSlice(),
): Promise<Buffer> {
  if (chunks.length === 1) return chunks[0]!;
  if (size <= ONE_GO_BYTES) return Buffer.concat(chunks, size);
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    chunk.copy(out, at);
    at += chunk.length;
    if ((i & 15) === 15 && slice.spent) await slice.yield();
  }
  return out;
}
