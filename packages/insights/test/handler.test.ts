import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboardHandler } from '../src/dashboard/handler';
import { createEventStore, type DuckDbStoreSink } from '../src/store/duckdb-store-sink';
import { WORKLOAD } from './fixtures/workload';

let store: DuckDbStoreSink;
let server: Server;
let base: string;

beforeAll(async () => {
  store = await createEventStore({ path: ':memory:', retentionDays: 0 });
  await store.send(WORKLOAD);
  const handler = createDashboardHandler({ store, liveIntervalMs: 10 });
  server = createServer((req, res) => {
    if (!handler(req, res)) {
      res.writeHead(418);
      res.end('not mine');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await store.shutdown();
});

const get = (path: string) => fetch(`${base}${path}`);
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies checked field by field below.
const json = async (path: string): Promise<any> => (await get(path)).json();

describe('the page', () => {
  it('serves the page and its files from the package, with a strict content security policy', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'");
    const html = await page.text();
    expect(html).toContain('<script src="dashboard.js"');
    expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN
    expect((await get('/dashboard.js')).status).toBe(200);
    expect((await get('/dashboard.css')).headers.get('content-type')).toMatch(/text\/css/);
  });

  it('leaves other paths to the host server', async () => {
    expect((await get('/v1/traces')).status).toBe(418);
    expect((await get('/healthz')).status).toBe(418);
  });

  it('answers 405 to writes', async () => {
    expect((await fetch(`${base}/api/overview`, { method: 'POST' })).status).toBe(405);
  });
});

describe('the JSON API', () => {
  it('gives the same figures as the queries', async () => {
    const body = await (await get('/api/overview?channel=whatsapp')).json();
    expect(body).toEqual(JSON.parse(JSON.stringify(await store.insights.overview({ channel: 'whatsapp' }))));
    const list = await json('/api/conversations?limit=2&offset=0');
    expect(list.total).toBe(3);
    expect(list.conversations.map((c: { conversation_id: string }) => c.conversation_id)).toEqual([
      'conv-c',
      'conv-b',
    ]);
    const detail = await json('/api/conversations/conv-a');
    expect(detail.messages).toHaveLength(8);
    expect((await get('/api/conversations/nope')).status).toBe(404);
  });

  it.each([
    ['/api/overview?from=2026-11-02%27%20OR%201%3D1', 400],
    ['/api/overview?from=0001-01-01&to=9999-12-31', 400],
    ['/api/overview?to=99999-01-01', 400],
    ['/api/overview?from=2026-02-31', 400],
    ['/api/overview?bogus=1', 400],
    ['/api/overview?channel=a&channel=b', 400],
    [`/api/overview?customer=${'x'.repeat(600)}`, 400],
    ['/api/conversations?limit=-1', 400],
    ['/api/conversations?offset=1e9999', 400],
    ['/api/conversations/%E0%A4%A', 400],
    ['/api/export?format=xml', 400],
    ['/api/export?format=csv&from=yesterday', 400],
    ['/api/nothing', 404],
  ])('%s → %i with a JSON error', async (path, status) => {
    const response = await get(path);
    expect(response.status).toBe(status);
    expect(await response.json()).toHaveProperty('error');
  });

  it('matches SQL fragments in filters literally (an empty result, not an error)', async () => {
    const body = await json(`/api/overview?channel=${encodeURIComponent("whatsapp' OR '1'='1")}`);
    expect(body.aiAgent.classifications).toBe(0);
    expect(body.conversations.total).toBe(0);
  });

  it('exports the filtered conversations as CSV and JSONL', async () => {
    const csv = await get('/api/export?format=csv&channel=whatsapp');
    expect(csv.headers.get('content-disposition')).toContain('conversations.csv');
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toMatch(/^conversation_id,channel,assistant,customer,/);
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(['conv-a']);
    const jsonl = (await (await get('/api/export?format=jsonl&from=2026-11-03')).text()).trim().split('\n');
    expect(jsonl.map((l) => JSON.parse(l).conversation_id)).toEqual(['conv-c', 'conv-b']);
  });

  it('tells live clients when new events are stored', async () => {
    const controller = new AbortController();
    const response = await fetch(`${base}/api/live`, { signal: controller.signal });
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = response.body!.getReader();
    await reader.read(); // the retry line
    await store.send([{ ...WORKLOAD[2]!, messageId: 'live-1' }]);
    let text = '';
    while (!text.includes('event: stored')) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain('event: stored');
  });
});

describe('CSV export cells', () => {
  it('keeps phone numbers as they are and defuses formulas', async () => {
    const { csvLine } = await import('../src/export/export-conversations');
    const line = csvLine({
      conversation_id: '=HYPERLINK("x")',
      customer: '+254712345678',
      assistant: '-1+2',
      channel: 'a,b',
    });
    expect(line).toBe(`"'=HYPERLINK(""x"")","a,b","'-1+2",+254712345678,,,,,,,\n`);
  });
});

describe('mounted under a path', () => {
  it('serves the page under its folder, redirects the bare path, and leaves the rest alone', async () => {
    const handler = createDashboardHandler({ store, basePath: '/insights' });
    const mounted = createServer((req, res) => {
      if (!handler(req, res)) {
        res.writeHead(418);
        res.end();
      }
    });
    await new Promise<void>((resolve) => mounted.listen(0, '127.0.0.1', resolve));
    const at = `http://127.0.0.1:${(mounted.address() as AddressInfo).port}`;
    try {
      const bare = await fetch(`${at}/insights?channel=test`, { redirect: 'manual' });
      expect([bare.status, bare.headers.get('location')]).toEqual([308, '/insights/?channel=test']);
      expect((await fetch(`${at}/insights/`)).status).toBe(200);
      expect((await fetch(`${at}/insights/api/overview`)).status).toBe(200);
      expect((await fetch(`${at}/api/overview`)).status).toBe(418);
    } finally {
      mounted.closeAllConnections();
      await new Promise((resolve) => mounted.close(resolve));
    }
  });
});
