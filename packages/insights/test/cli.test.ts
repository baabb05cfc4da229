import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, expect, it } from 'vitest';
import { main } from '../src/cli/main';
import { WORKLOAD } from './fixtures/workload';

let dir: string;
let events: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'insights-cli-'));
  events = join(dir, 'events.jsonl');
  writeFileSync(events, `${WORKLOAD.map((m) => JSON.stringify(m)).join('\n')}\n`);
});

async function run(...args: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => (stdout += d));
  err.on('data', (d) => (stderr += d));
  const code = await main(args, out, err);
  return { code, stdout, stderr };
}

it('report prints the figures, as text and as JSON', async () => {
  const text = await run('report', '--events', events);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(/AI classifications\s+4\n/);
  expect(text.stdout).toMatch(/Response rate\s+83\.3% \(5 of 6 customer messages\)/);
  const json = await run('report', '--events', events, '--json', '--channel', 'whatsapp');
  const overview = JSON.parse(json.stdout);
  expect(overview.filters).toEqual({ channel: 'whatsapp' });
  expect(overview.aiAgent.classifications).toBe(2);
  expect(overview.conversations.total).toBe(1);
});

it('export writes the filtered conversations as csv, jsonl and parquet', async () => {
  const csv = await run('export', '--events', events, '--format', 'csv', '--from', '2026-11-03');
  expect(csv.code).toBe(0);
  expect(
    csv.stdout
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[0]),
  ).toEqual(['conv-c', 'conv-b']);
  const out = join(dir, 'c.jsonl');
  expect((await run('export', '--events', events, '--format', 'jsonl', '--out', out)).code).toBe(0);
  expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(3);
  const parquet = join(dir, 'c.parquet');
  const p = await run(
    'export',
    '--events',
    events,
    '--format',
    'parquet',
    '--out',
    parquet,
    '--customer',
    'u1',
  );
  expect(p.stderr).toContain('exported 1 conversations');
  expect(readFileSync(parquet).subarray(0, 4).toString()).toBe('PAR1');
});

it('answers usage mistakes and bad filters with exit code 2 and a message', async () => {
  expect((await run()).code).toBe(2);
  expect((await run('frobnicate')).code).toBe(2);
  expect((await run('report', '--bogus')).code).toBe(2);
  expect((await run('export', '--events', events, '--format', 'xml')).code).toBe(2);
  expect((await run('report', '--events', join(dir, 'missing.jsonl'))).stderr).toContain('cannot read');
  expect((await run('report', '--store', join(dir, 'missing.duckdb'))).stderr).toContain('no event store at');
  const bad = await run('report', '--events', events, '--from', "2026' OR 1=1");
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('invalid filter from');
  expect((await run('--help')).stdout).toContain('spantrack dashboard');
});

it('reads a store file the sink wrote', async () => {
  const { createEventStore } = await import('../src/store/duckdb-store-sink');
  const path = join(dir, 'events.duckdb');
  const store = await createEventStore({ path, retentionDays: 0 });
  await store.send(WORKLOAD);
  await store.shutdown();
  const report = await run('report', '--store', path, '--json');
  expect(JSON.parse(report.stdout).conversations.total).toBe(3);
});
