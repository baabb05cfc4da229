import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { context, trace } from '@opentelemetry/api';
import { AgentTracker } from '@spantrack/instrumentation';
import { MemorySink, SpantrackConfigError } from '@spantrack/processor';
import { afterAll, afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from 'vitest';
import { setup } from '../src/index';
import { resolveConfig } from '../src/resolve-config';
import { resetSetupForTests } from '../src/setup';
import { isolateEnv } from './support/otlp-receiver';

const dir = mkdtempSync(join(tmpdir(), 'spantrack-node-store-'));
let restoreEnv: () => void;
let warnSpy: MockInstance<typeof console.warn>;

beforeEach(() => {
  restoreEnv = isolateEnv();
  process.env.SPANTRACK_AUTO_INSTRUMENT = 'false';
  warnSpy = vi.spyOn(console, 'warn').mockImplementation(() => {});
});
afterEach(async () => {
  await resetSetupForTests();
  trace.disable();
  context.disable();
  warnSpy.mockRestore();
  restoreEnv();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function storedEvents(path: string): Promise<string[]> {
  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  const rows = (await connection.runAndReadAll('SELECT event FROM events ORDER BY event')).getRows();
  connection.closeSync();
  instance.closeSync();
  return rows.map((r) => String(r[0]));
}

async function classifyTwice(): Promise<void> {
  const tracker = new AgentTracker({ channel: 'test' });
  for (const intent of ['greeting', 'billing']) {
    await tracker.withContext({ userId: 'u-1' }, () =>
      tracker.classify({ model: 'gpt-4o-mini' }, () => ({ intent, confidence: 0.9 })),
    );
  }
}

describe('setup({ store })', () => {
  it('writes every analytics event to the DuckDB store beside the sink', async () => {
    const path = join(dir, 'beside.duckdb');
    const sink = new MemorySink();
    const handle = setup({ sink, store: path, tracesExporter: 'none' });
    await classifyTwice();
    await handle.shutdown();
    const delivered = sink.messages.map((m) => (m.type === 'track' ? m.event : m.type)).sort();
    expect(delivered).toContain('ai.classification');
    expect(await storedEvents(path)).toEqual(delivered);
  });

  it('takes SPANTRACK_STORE, and keeps the events when the store is the only destination', async () => {
    const path = join(dir, 'alone.duckdb');
    process.env.SPANTRACK_STORE = path;
    process.env.SPANTRACK_SINK = 'none';
    const handle = setup({ tracesExporter: 'none' });
    await classifyTwice();
    await handle.shutdown();
    expect((await storedEvents(path)).filter((e) => e === 'ai.classification')).toHaveLength(2);
  });

  it('resolves store as option ?? SPANTRACK_STORE ?? off, and rejects an empty path by name', () => {
    expect(resolveConfig({}, {}).store).toBe(false);
    expect(resolveConfig({}, { SPANTRACK_STORE: 'off' }).store).toBe(false);
    expect(resolveConfig({}, { SPANTRACK_STORE: 'a.duckdb' })).toMatchObject({
      store: 'a.duckdb',
      storeSource: 'SPANTRACK_STORE',
    });
    expect(resolveConfig({ store: ':memory:' }, { SPANTRACK_STORE: 'a.duckdb' }).store).toBe(':memory:');
    expect(resolveConfig({ store: false }, { SPANTRACK_STORE: 'a.duckdb' }).store).toBe(false);
    expect(() => resolveConfig({ store: ' ' }, {})).toThrow(SpantrackConfigError);
    expect(() => resolveConfig({ store: ' ' }, {})).toThrow(/store: must be a DuckDB file path/);
  });

  it('counts the store failing to open as failed deliveries; the sink still gets every event', async () => {
    const notADirectory = join(dir, 'plain-file');
    await import('node:fs').then((fs) => fs.writeFileSync(notADirectory, 'x'));
    const sink = new MemorySink();
    const handle = setup({ sink, store: join(notADirectory, 'e.duckdb'), tracesExporter: 'none' });
    await classifyTwice();
    await handle.flush();
    expect(sink.messages.filter((m) => m.type === 'track' && m.event === 'ai.classification')).toHaveLength(
      2,
    );
    await handle.shutdown();
  });
});
