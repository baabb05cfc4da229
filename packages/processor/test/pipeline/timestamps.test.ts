import { describe, expect, it } from 'vitest';
import { createTranslator } from '../../src/index';
import { span } from './span-fixture';

const MS = 1_000_000n;

/** The timestamp of the event a custom `track` span makes, ending at `endMs` (+ `extraNs`). */
function timestampOf(translate: ReturnType<typeof createTranslator>, endMs: number, extraNs = 0n): string {
  const end = BigInt(endMs) * MS + extraNs;
  const { messages } = translate(
    span({
      startTimeUnixNano: end - 5n * MS,
      endTimeUnixNano: end,
      attributes: {
        'spantrack.interaction.kind': 'track',
        'spantrack.event.name': 'Report Viewed',
        'user.id': 'u1',
      },
    }),
  );
  const event = messages.find((m) => m.type === 'track' && m.event === 'Report Viewed');
  expect(event).toBeDefined();
  return event!.timestamp as string;
}

describe('event timestamps', () => {
  it('are the span end as ISO 8601 with milliseconds, whatever order times come in', () => {
    const translate = createTranslator();
    const MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
    const times = [
      1,
      999,
      1000,
      86_399_999,
      86_400_000,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2024, 2, 1, 0, 0, 0, 0),
      Date.UTC(2100, 1, 28, 12, 0, 0, 5),
      Date.UTC(2000, 0, 1, 0, 0, 0, 10),
      MAX,
    ];
    // Random times across the whole range, and runs of neighbours a few seconds apart (seconds that
    // share a slot of any small cache, spans alternating between two seconds, midnight crossings).
    let seed = 12345;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let i = 0; i < 2000; i++) times.push(1 + Math.floor(random() * (MAX - 1)));
    const midnight = Date.UTC(2026, 10, 29);
    for (let i = -40; i < 40; i++)
      times.push(midnight + i * 997, midnight + i * 8000 + 1, midnight - i * 1000);
    for (const ms of times) expect(timestampOf(translate, ms)).toBe(new Date(ms).toISOString());
  });

  it('round down to the millisecond, also just below a millisecond boundary', () => {
    const translate = createTranslator();
    const ms = Date.UTC(2026, 10, 29, 23, 59, 59, 999);
    expect(timestampOf(translate, ms, 999_999n)).toBe('2026-11-29T23:59:59.999Z');
    expect(timestampOf(translate, ms, 1n)).toBe('2026-11-29T23:59:59.999Z');
    expect(timestampOf(translate, ms + 1)).toBe('2026-11-30T00:00:00.000Z');
  });

  it('are exact at every nanosecond offset, whatever came before (times close together, far apart, going back)', () => {
    const translate = createTranslator();
    const now = Date.UTC(2026, 10, 29, 12, 0, 0, 0);
    const day = 86_400_000;
    // Runs near each other, then jumps back an hour and more, forward by weeks, and back by years.
    const ends = [
      now,
      now + 5,
      now - 3_599_999,
      now - 3_600_001,
      now + 14 * day,
      now + 13 * day,
      now - 400 * day,
      1,
    ];
    for (let i = 0; i < 200; i++) ends.push(now + ((i * 7919) % 50_000) - 25_000, now - i * 3_700_000);
    const offsets = [0n, 1n, 499_999n, 500_000n, 999_000n, 999_999n];
    for (const endMs of ends) {
      for (const extra of offsets) {
        const exact = Number((BigInt(endMs) * MS + extra) / MS);
        expect(timestampOf(translate, endMs, extra)).toBe(new Date(exact).toISOString());
      }
    }
  });
});
