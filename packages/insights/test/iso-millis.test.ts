import { describe, expect, it } from 'vitest';
import { isoMillis } from '../src/store/message-row';

/** A small deterministic generator, so a failure names a reproducible case. */
function lcg(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');

describe('isoMillis: the same number as Date.parse, for every input', () => {
  it('timestamps as toISOString writes them, across years 100 to 9999', () => {
    const random = lcg(1);
    for (let i = 0; i < 20_000; i++) {
      const ms = Date.UTC(100, 0, 1) + Math.floor(random() * (Date.UTC(9999, 11, 31) - Date.UTC(100, 0, 1)));
      const text = new Date(ms).toISOString();
      expect(isoMillis(text)).toBe(ms);
    }
  });

  it('every field at and past its bounds, and days past the end of each month', () => {
    const cases: string[] = [];
    for (const year of [0, 1, 99, 100, 1969, 1970, 2024, 2026, 9999]) {
      for (let month = 0; month <= 13; month++) {
        for (const day of [0, 1, 28, 29, 30, 31, 32, 99]) {
          cases.push(`${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T12:00:00.000Z`);
        }
      }
    }
    for (const hour of [0, 23, 24, 25, 99]) cases.push(`2026-11-30T${pad(hour, 2)}:00:00.000Z`);
    for (const minute of [0, 59, 60, 99]) cases.push(`2026-11-30T10:${pad(minute, 2)}:00.000Z`);
    for (const second of [0, 59, 60, 61, 99]) cases.push(`2026-11-30T10:00:${pad(second, 2)}.000Z`);
    for (const ms of [0, 1, 999]) cases.push(`2026-11-30T10:00:00.${pad(ms, 3)}Z`);
    for (const text of cases) expect([text, isoMillis(text)]).toEqual([text, Date.parse(text)]);
  });

  it('a canonical timestamp spoiled at any position by any character, and other forms', () => {
    const base = '2026-11-30T09:52:56.715Z';
    const spoilers = ['/', ':', '0', '9', 'a', 'T', 'Z', '-', '.', ' ', '+', '\u0660', '\u0000'];
    const cases = [
      '',
      '2026-11-30',
      '2026-11-30T09:52:56Z',
      '2026-11-30T09:52:56.715+01:00',
      '2026-11-30T09:52:56.7150Z',
      '+002026-11-30T09:52:56.715Z',
      '-000001-01-01T00:00:00.000Z',
      'Mon, 30 Nov 2026 09:52:56 GMT',
      '2026-11-30 09:52:56.715Z',
      '2026-11-30t09:52:56.715z',
    ];
    for (let i = 0; i < base.length; i++) {
      for (const c of spoilers) cases.push(`${base.slice(0, i)}${c}${base.slice(i + 1)}`);
    }
    for (const text of cases) expect([text, isoMillis(text)]).toEqual([text, Date.parse(text)]);
  });
});
