import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ExportResultCode } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { MemorySink } from '@spantrack/processor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../src/index';
import { CliProcess, runToExit } from './support/cli-process';
import { expectedMessages } from './support/expected';
import { agentTraces } from './support/fixtures';

const dir = mkdtempSync(join(tmpdir(), 'spantrack-collector-store-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function exportSpans(url: string, spans: ReadableSpan[]) {
  const exporter = new OTLPTraceExporter({ url });
  return new Promise<ExportResultCode>((resolve) => exporter.export(spans, (r) => resolve(r.code))).finally(
    () => exporter.shutdown(),
  );
}

async function storedIds(path: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  const reader = await connection.runAndReadAll('SELECT message_id FROM events ORDER BY message_id');
  const ids = reader.getRows().map((r) => String(r[0]));
  connection.closeSync();
  instance.closeSync();
  return ids;
}

describe('collector with --store: the sink and the DuckDB store side by side, the dashboard at /', () => {
  let collector: Collector;
  const memory = new MemorySink();
  const path = join(dir, 'in-process.duckdb');

  beforeAll(async () => {
    collector = await startCollector({ http: { port: 0 }, grpc: false, sink: memory, store: path, env: {} });
  });

  it('delivers every message to the sink and to the store, serves / and /api/overview, and counts stored messages', async () => {
    const spans = agentTraces(10, 'store');
    expect(await exportSpans(collector.tracesUrl!, spans)).toBe(ExportResultCode.SUCCESS);
    const expected = expectedMessages(spans)
      .map((m) => m.messageId)
      .sort();
    expect(memory.messageIds().sort()).toEqual(expected);

    const page = await fetch(collector.dashboardUrl!);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    for (;;) {
      if ((collector.stats().store?.stored ?? 0) >= expected.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const overview = (await (await fetch(`${collector.httpUrl}/api/overview`)).json()) as {
      aiAgent: { requests: number };
    };
    // The AI agent tracking plan counts classifications, generations and errors as requests.
    const aiRequests = expectedMessages(spans).filter(
      (m) => m.type === 'track' && ['ai.classification', 'ai.generation', 'ai.error'].includes(m.event),
    );
    expect(overview.aiAgent.requests).toBe(aiRequests.length);
    expect(collector.stats().store).toEqual({ path, stored: expected.length, failed: 0, paced: 0 });
    const metrics = await collector.metrics();
    expect(metrics).toContain(
      `spantrack_collector_store_messages_total{outcome="stored"} ${expected.length}`,
    );
    expect(metrics).toMatch(/^spantrack_collector_store_batches_total\{path="fast"\} [1-9]\d*$/m);
    expect(metrics).toContain('spantrack_collector_store_batches_total{path="slow"} 0');
    // Repeats never reached the store: the collector's window in front of it held them back.
    expect(metrics).toContain('spantrack_collector_store_duplicates_total 0');
    await collector.close();
    expect(await storedIds(path)).toEqual(expected);
  });
});

describe('the dashboard under a bearer token', () => {
  let collector: Collector;
  beforeAll(async () => {
    collector = await startCollector({
      http: { port: 0 },
      grpc: false,
      sink: { type: 'none' },
      store: ':memory:',
      bearerToken: 's3cret',
      env: {},
    });
  });
  afterAll(() => collector.close());

  it('answers 401 without the token, and sets a cookie from ?token= that later requests use', async () => {
    expect((await fetch(`${collector.httpUrl}/`)).status).toBe(401);
    expect((await fetch(`${collector.httpUrl}/api/overview`)).status).toBe(401);
    expect((await fetch(`${collector.httpUrl}/?token=wrong`, { redirect: 'manual' })).status).toBe(401);
    const login = await fetch(`${collector.httpUrl}/?token=s3cret`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly; SameSite=Strict/);
    const withCookie = await fetch(`${collector.httpUrl}/api/overview`, {
      headers: { cookie: cookie.split(';')[0]! },
    });
    expect(withCookie.status).toBe(200);
    const withHeader = await fetch(`${collector.httpUrl}/`, { headers: { authorization: 'Bearer s3cret' } });
    expect(withHeader.status).toBe(200);
  });
});

describe('spantrack-collector --store', () => {
  it('prints the dashboard URL and stores into the file', async () => {
    const path = join(dir, 'cli.duckdb');
    const cli = new CliProcess(['--http-port', '0', '--grpc-port', 'off', '--sink', 'none', '--store', path]);
    const [, url] = await cli.waitFor(/dashboard at (http:\/\/\S+\/)/);
    const spans = agentTraces(4, 'cli');
    expect(await exportSpans(`${url}v1/traces`, spans)).toBe(ExportResultCode.SUCCESS);
    expect((await fetch(url!)).status).toBe(200);
    expect(await cli.stop()).toBe(0);
    expect(await storedIds(path)).toEqual(
      expectedMessages(spans)
        .map((m) => m.messageId)
        .sort(),
    );
  });

  it('refuses --store with --workers 2, naming the flag', async () => {
    const { code, stderr } = await runToExit(['--store', ':memory:', '--workers', '2', '--sink', 'none']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--store \/ SPANTRACK_STORE: .*--workers 1/);
  });

  it('reports an unopenable store file as a start failure, in one line', async () => {
    const notADirectory = join(dir, 'plain-file');
    writeFileSync(notADirectory, 'x');
    const { code, stderr } = await runToExit([
      '--store',
      join(notADirectory, 'e.duckdb'),
      '--sink',
      'none',
      '--http-port',
      '0',
      '--grpc-port',
      'off',
    ]);
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toHaveLength(1);
  });
});
