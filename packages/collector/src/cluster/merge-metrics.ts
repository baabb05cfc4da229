/**
 * One Prometheus exposition (text format 0.0.4) from several processes' expositions: samples with
 * the same name and labels are added up (counters, histograms, queue depth and capacity, memory),
 * except the health gauges, where the whole is as healthy as its least healthy worker.
 */
const LEAST = new Set(['spantrack_collector_sink_healthy']);
const MOST = new Set(['spantrack_collector_draining']);

interface Family {
  comments: string[];
  samples: Map<string, number>;
}

export function mergeMetricsText(texts: readonly string[]): string {
  const families = new Map<string, Family>();
  for (const text of texts) {
    let family: Family | undefined;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      if (line.startsWith('#')) {
        // "# HELP name ..." / "# TYPE name ...": the family the following samples belong to.
        const name = line.split(' ')[2] ?? '';
        family = families.get(name);
        if (family === undefined) {
          family = { comments: [], samples: new Map() };
          families.set(name, family);
        }
        if (!family.comments.includes(line)) family.comments.push(line);
        continue;
      }
      const at = line.lastIndexOf(' ');
      const series = line.slice(0, at);
      const value = Number(line.slice(at + 1));
      const name = series.replace(/\{.*$/, '');
      const target = family ?? families.get(name) ?? { comments: [], samples: new Map() };
      if (!families.has(name) && family === undefined) families.set(name, target);
      const before = target.samples.get(series);
      target.samples.set(series, before === undefined ? value : combine(name, before, value));
    }
  }
  const lines: string[] = [];
  for (const family of families.values()) {
    lines.push(...family.comments);
    for (const [series, value] of family.samples) lines.push(`${series} ${value}`);
  }
  return `${lines.join('\n')}\n`;
}

function combine(name: string, a: number, b: number): number {
  if (LEAST.has(name)) return Math.min(a, b);
  if (MOST.has(name)) return Math.max(a, b);
  return a + b;
}
