// Inflating a request body into one buffer sized from the gzip trailer: the same bytes as zlib's own
// gunzip whatever the trailer says, the announced size reserved before anything is inflated, and
// the reservation left holding exactly the inflated bytes.
import { randomBytes } from 'node:crypto';
import { deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { gzipSizeHint, InflateError, inflateBody } from '../src/http/inflate-body';
import { MemoryBudget, Reservation } from '../src/pipeline/memory-budget';

const MiB = 1024 * 1024;
/** Compressible but not trivial: random bytes spelled out as hex. */
const payload = (bytes: number) => Buffer.from(randomBytes(bytes / 2).toString('hex'));

async function failure(promise: Promise<unknown>): Promise<InflateError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InflateError);
  return error as InflateError;
}

describe('inflateBody', () => {
  it('gives the bytes zlib gives, holding exactly them in the budget', async () => {
    const plain = payload(3 * MiB);
    const gz = gzipSync(plain);
    expect(gzipSizeHint(gz)).toBe(plain.length);
    const budget = new MemoryBudget(64 * MiB);
    const reservation = new Reservation(budget);
    const out = await inflateBody(gz, 'gzip', 32 * MiB, reservation);
    expect(out.equals(plain)).toBe(true);
    expect(reservation.held).toBe(plain.length);
    expect(budget.used).toBe(plain.length);
  });

  it('a truthful trailer: one chunk of the announced size, handed over with no copy', async () => {
    const plain = payload(512 * 1024);
    const out = await inflateBody(
      gzipSync(plain),
      'gzip',
      32 * MiB,
      new Reservation(new MemoryBudget(64 * MiB)),
    );
    expect(out.equals(plain)).toBe(true);
    // zlib's own output buffer (the announced size and the one byte that lets it end inside it).
    expect(out.buffer.byteLength).toBe(plain.length + 1);
  });

  it('empty and tiny bodies', async () => {
    for (const plain of [Buffer.alloc(0), Buffer.from('a'), Buffer.from('{"resourceSpans":[]}')]) {
      const reservation = new Reservation(new MemoryBudget(MiB));
      const out = await inflateBody(gzipSync(plain), 'gzip', 32 * MiB, reservation);
      expect(out.equals(plain)).toBe(true);
      expect(reservation.held).toBe(plain.length);
      expect((await inflateBody(deflateSync(plain), 'deflate', 32 * MiB, reservation)).equals(plain)).toBe(
        true,
      );
    }
  });

  it('several gzip members (the trailer announces only the last one): the buffer grows, nothing is lost', async () => {
    const first = payload(2 * MiB);
    const last = payload(64 * 1024);
    const gz = Buffer.concat([gzipSync(first), gzipSync(last)]);
    expect(gzipSizeHint(gz)).toBe(last.length);
    const reservation = new Reservation(new MemoryBudget(64 * MiB));
    const out = await inflateBody(gz, 'gzip', 32 * MiB, reservation);
    expect(out.equals(gunzipSync(gz))).toBe(true);
    expect(out.length).toBe(first.length + last.length);
    expect(reservation.held).toBe(out.length);
  });

  it('a trailer that announces more than the body holds is refused as invalid gzip', async () => {
    const gz = gzipSync(payload(256 * 1024));
    gz.writeUInt32LE(16 * MiB, gz.length - 4);
    const error = await failure(
      inflateBody(gz, 'gzip', 32 * MiB, new Reservation(new MemoryBudget(64 * MiB))),
    );
    expect(error.reason).toBe('invalid');
  });

  it('deflate (no size announced) grows its buffer as it inflates', async () => {
    const plain = payload(1 * MiB);
    const reservation = new Reservation(new MemoryBudget(64 * MiB));
    const out = await inflateBody(deflateSync(plain), 'deflate', 32 * MiB, reservation);
    expect(out.equals(plain)).toBe(true);
    expect(reservation.held).toBe(plain.length);
  });

  it('a body whose announced size the budget cannot hold is refused busy before it is inflated', async () => {
    const budget = new MemoryBudget(8 * MiB);
    const other = new Reservation(budget);
    expect(other.take(6 * MiB)).toBe(true);
    const reservation = new Reservation(budget);
    const error = await failure(inflateBody(gzipSync(payload(4 * MiB)), 'gzip', 32 * MiB, reservation));
    expect(error.reason).toBe('busy');
    expect(reservation.held).toBe(0);
    expect(budget.used).toBe(6 * MiB);
  });

  it('past the limit: too_large, at no more than the limit held', async () => {
    const bomb = gzipSync(Buffer.alloc(20 * MiB));
    const reservation = new Reservation(new MemoryBudget(64 * MiB));
    const error = await failure(inflateBody(bomb, 'gzip', 4 * MiB, reservation));
    expect(error.reason).toBe('too_large');
    expect(error.message).toContain(`exceeds ${4 * MiB} bytes`);
    expect(reservation.held).toBeLessThanOrEqual(4 * MiB);
  });
});
