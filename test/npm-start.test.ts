import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createEventStore, METRICS } from '@spantrack/insights';
import { afterEach, describe, expect, it } from 'vitest';
import { readValidatedJsonl } from './helpers/tracking-plans';

/*
 * `npm start`, the main job, as a user runs it: scripts/start.mjs in a child process, with a temp
 * data folder and free ports so it never touches .data/ or a running collector.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spantrack-start-'));
  dirs.push(dir);
  return dir;
}

function start(args: string[]): {
  child: ChildProcessByStdio<null, Readable, Readable>;
  output: () => string;
} {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('OTEL_') && !k.startsWith('SPANTRACK_')) env[k] = v;
  }
  const child = spawn(process.execPath, ['scripts/start.mjs', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    out += c.toString();
  });
  return { child, output: () => out };
}

function exited(child: ChildProcessByStdio<null, Readable, Readable>): Promise<number | null> {
  return new Promise((resolve) => child.on('close', (code) => resolve(code)));
}

async function waitFor(output: () => string, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = output().match(pattern);
    if (match) return match;
    if (Date.now() > deadline) throw new Error(`no ${pattern} in:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

type Line = { type: string; event?: string; messageId: string; userId?: string; properties?: object };
// The collector runs in a child process: its messages are checked against the plans here.
const readLines = (path: string): Line[] => readValidatedJsonl<Line>(path);

/**
 * What the dashboard shows after the demo, read from the store `npm start` wrote: every metric
 * query has rows and no null figure, the conversation list has several conversations of each type,
 * each with an assistant and a customer, and a priced conversation's detail has its history.
 */
async function expectEveryFigureFilled(storePath: string): Promise<void> {
  const store = await createEventStore({ path: storePath, retentionDays: 0 });
  try {
    const insights = store.insights;
    const { total, conversations } = await insights.conversations({}, { limit: 100 });
    expect(total).toBe(12);
    const extra = { limit: 100, offset: 0, conversation: String(conversations[0]!.conversation_id) };
    for (const m of METRICS.values()) {
      const rows = await insights.metric(m.name, {}, extra);
      expect(rows.length, m.name).toBeGreaterThan(0);
      if (m.shape === 'value') {
        for (const [column, value] of Object.entries(rows[0]!)) {
          expect(value, `${m.name}.${column}`).not.toBeNull();
          expect(Number(value), `${m.name}.${column}`).toBeGreaterThan(0);
        }
      }
    }
    // The list view: several conversations of each type, each naming its assistant and customer.
    const byType = new Map<string, number>();
    for (const c of conversations) {
      expect(c.assistant, String(c.conversation_id)).toEqual(expect.any(String));
      expect(c.customer, String(c.conversation_id)).toEqual(expect.any(String));
      byType.set(String(c.channel), (byType.get(String(c.channel)) ?? 0) + 1);
    }
    expect(Object.fromEntries(byType)).toEqual({ whatsapp: 6, web_widget: 4, test: 2 });
    expect(new Set(conversations.map((c) => c.assistant))).toEqual(
      new Set(['kra-bot', 'support-copilot', 'acme-help']),
    );
    expect(conversations.filter((c) => Number(c.tool_calls) > 0).length).toBeGreaterThan(2);
    // The detail view: a help-desk conversation priced from its model calls' tokens.
    const priced = conversations.find((c) => c.assistant === 'acme-help' && Number(c.cost_usd) > 0);
    const detail = await insights.conversation(String(priced!.conversation_id));
    expect(detail.messages.map((m) => m.event)).toContain('Message Received');
    expect(detail.totalCostUsd).toBeGreaterThan(0);
    expect(detail.messages.some((m) => m.event === 'Message Received' && m.completion_tokens !== null)).toBe(
      true,
    );
    // Content capture is off: no text in the history.
    expect(detail.messages.every((m) => m.content === null)).toBe(true);
    // The documented error types the demo's failures map to.
    const errors = await store.reader.query(
      "SELECT error_type, count(*) AS n FROM events WHERE event = 'ai.error' GROUP BY 1 ORDER BY 1",
    );
    expect(errors.map((r) => r.error_type)).toEqual([
      'context_length',
      'json_parse_error',
      'network',
      'timeout',
    ]);
  } finally {
    await store.shutdown();
  }
}

describe('npm start', () => {
  it('--once: collector, demo agent over OTLP, JSONL events, summary by catalog, then exits', async () => {
    const data = tempDir();
    const { child, output } = start(['--once', '--data-dir', data, '--http-port', '0', '--grpc-port', '0']);
    const code = await exited(child);
    const out = output();
    expect(code, out).toBe(0);

    expect(out).toMatch(/spantrack collector: OTLP\/HTTP http:\/\/127\.0\.0\.1:\d+\/v1\/traces, OTLP\/gRPC/);
    expect(out).toMatch(
      /demo agent: 7 WhatsApp messages \(2 handed off\).*, 5 help-desk conversations \(2 handed off\);.* 0 failed/,
    );
    expect(out).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    expect(out).toMatch(
      /Collector: \d+ OTLP request\(s\), \d+ spans, 123 events delivered, 0 failed; 123 stored in the event store, 0 not stored/,
    );
    // The summary is read back from the DuckDB event store.
    expect(out).toContain('Events by catalog: 123 events');
    expect(out).toMatch(/ai-agent \(AI agent tracking plan\) +27/);
    expect(out).toMatch(/segment-copilot \(Segment's AI Copilot spec\) +70/);
    expect(out).toMatch(/customer-signals \(customer-signals tracking plan\) +26/);
    expect(out).toMatch(/ai\.classification +11/);
    expect(out).toMatch(/ai\.error +5/);
    expect(out).toMatch(/interaction\.outcome_handoff_completed +3/);
    // (0.99 + 0.97 + 0.95 + 0.99 + 0.91 + 0.94 + 0.89 + 0.81 + 0.94 + 0.77 + 0.38) / 11
    expect(out).toMatch(/AI classifications +11\n +AI accuracy \(mean confidence\) +0\.867/);
    expect(out).toMatch(/Error rate +18\.5% \(5 of 27 AI requests\)/);
    expect(out).toMatch(/Top intents +nil_filing 2, order_status 2/);
    // 12 conversations, 34 messages by their Conversation Ended counts.
    expect(out).toMatch(
      /Total conversations +12\n +Messages per conversation +2\.8\n +Response rate +100\.0%/,
    );
    expect(out).toMatch(/Cost per conversation +\$0\.\d*[1-9]/);
    expect(out).toMatch(/Handling auto \/ assisted \/ human +1 \/ 1 \/ 2/);
    expect(existsSync(join(data, 'events.duckdb'))).toBe(true);
    expect(out).not.toContain('spantrack is serving');

    // The JSONL file holds exactly what the summary counted, one line per event.
    const lines = readLines(join(data, 'events.jsonl'));
    expect(lines).toHaveLength(123);
    expect(new Set(lines.map((l) => l.messageId)).size).toBe(123);
    const classification = lines.find((l) => l.event === 'ai.classification' && l.userId === '+254712345678');
    expect(classification?.properties).toMatchObject({
      detected_intent: 'nil_filing',
      confidence: 0.99,
      model: 'llama3.2:3b',
    });
    await expectEveryFigureFilled(join(data, 'events.duckdb'));
  });

  it('keeps serving after the demo: accepts OTLP from anyone, appends to the file, stops gracefully on SIGTERM', async () => {
    const data = tempDir();
    const { child, output } = start(['--data-dir', data, '--http-port', '0', '--grpc-port', '0']);
    const closed = exited(child);
    try {
      const [, url] = await waitFor(
        output,
        /spantrack is serving[\s\S]*OTLP\/HTTP +(http:\/\/\S+)\/v1\/traces/,
        25_000,
      );
      // One more span, from "another agent", as OTLP/JSON.
      const response = await fetch(`${url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          resourceSpans: [
            {
              resource: { attributes: [{ key: 'service.name', value: { stringValue: 'other-agent' } }] },
              scopeSpans: [
                {
                  scope: { name: 'manual' },
                  spans: [
                    {
                      traceId: '0af7651916cd43dd8448eb211c80319c',
                      spanId: 'b7ad6b7169203331',
                      name: 'error timeout',
                      kind: 1,
                      startTimeUnixNano: '1764000000000000000',
                      endTimeUnixNano: '1764000000000000000',
                      attributes: [
                        { key: 'spantrack.interaction.kind', value: { stringValue: 'error' } },
                        { key: 'error.type', value: { stringValue: 'timeout' } },
                        { key: 'user.id', value: { stringValue: '+254700000001' } },
                      ],
                      status: { code: 2 },
                    },
                  ],
                },
              ],
            },
          ],
        }),
      });
      expect(response.status).toBe(200);
      // The dashboard, served by the collector over the store, lists the demo's conversations.
      const [, dashboard] = output().match(/dashboard +(http:\/\/\S+\/)/)!;
      expect((await fetch(dashboard!)).status).toBe(200);
      const list = (await (await fetch(`${dashboard}api/conversations`)).json()) as { total: number };
      expect(list.total).toBe(12);
      child.kill('SIGTERM');
      expect(await closed, output()).toBe(0);
      expect(output()).toMatch(
        /SIGTERM: draining and stopping\nstopped: \d+ OTLP requests, 124 events delivered in all/,
      );
      const lines = readLines(join(data, 'events.jsonl'));
      expect(lines).toHaveLength(124);
      expect(lines.at(-1)).toMatchObject({ event: 'ai.error', userId: '+254700000001' });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
