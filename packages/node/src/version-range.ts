/**
 * Whether `version` (x.y.z, a pre-release tag ignored) satisfies `range`: comparators (`>=`, `>`,
 * `<=`, `<`, `=`) separated by spaces, all of which must hold. Enough for the client ranges in
 * instrumentations.ts without a semver dependency; an unparsable version satisfies nothing.
 */
export function satisfies(version: string, range: string): boolean {
  const v = parse(version);
  if (v === undefined) return false;
  return range
    .trim()
    .split(/\s+/)
    .every((comparator) => {
      const m = /^(>=|<=|>|<|=)?(.+)$/.exec(comparator);
      const bound = m ? parse(m[2]!) : undefined;
      if (m === null || bound === undefined) return false;
      const c = compare(v, bound);
      switch (m[1]) {
        case '>=':
          return c >= 0;
        case '>':
          return c > 0;
        case '<=':
          return c <= 0;
        case '<':
          return c < 0;
        default:
          return c === 0;
      }
    });
}

function parse(version: string): [number, number, number] | undefined {
  const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:[-+].*)?$/.exec(version.trim());
  if (m === null) return undefined;
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function compare(a: [number, number, number], b: [number, number, number]): number {
  for (let i = 0; i < 3; i++) {
    if (a[i]! !== b[i]!) return a[i]! - b[i]!;
  }
  return 0;
}
