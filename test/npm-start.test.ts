import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
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

describe('npm start', () => {
  it('--once: collector, demo agent over OTLP, JSONL events, summary by catalog, then exits', async () => {
    const data = tempDir();
    const { child, output } = start(['--once', '--data-dir', data, '--http-port', '0', '--grpc-port', '0']);
    const code = await exited(child);
    const out = output();
    expect(code, out).toBe(0);

    expect(out).toMatch(/spantrack collector: OTLP\/HTTP http:\/\/127\.0\.0\.1:\d+\/v1\/traces, OTLP\/gRPC/);
    expect(out).toMatch(/demo agent: 7 WhatsApp messages \(2 handed off\).* 0 failed/);
    expect(out).toMatch(/dashboard: http:\/\/127\.0\.0\.1:\d+\//);
    expect(out).toMatch(
      /Collector: \d+ OTLP request\(s\), \d+ spans, 71 events delivered, 0 failed; 71 stored in the event store, 0 not stored/,
    );
    // The summary is read back from the DuckDB event store.
    expect(out).toContain('Events by catalog: 71 events');
    expect(out).toMatch(/ai-agent \(AI agent tracking plan\) +13/);
    expect(out).toMatch(/segment-copilot \(Segment's AI Copilot spec\) +40/);
    expect(out).toMatch(/customer-signals \(customer-signals tracking plan\) +18/);
    expect(out).toMatch(/ai\.classification +5/);
    expect(out).toMatch(/ai\.error +3/);
    expect(out).toMatch(/interaction\.outcome_handoff_completed +1/);
    expect(out).toMatch(/AI classifications +5\n +AI accuracy \(mean confidence\) +0\.962/);
    expect(out).toMatch(/Error rate +23\.1% \(3 of 13 AI requests\)/);
    expect(out).toMatch(/Top intents +nil_filing 2/);
    expect(out).toMatch(
      /Total conversations +7\n +Messages per conversation +2\.6\n +Response rate +100\.0%/,
    );
    expect(existsSync(join(data, 'events.duckdb'))).toBe(true);
    expect(out).not.toContain('spantrack is serving');

    // The JSONL file holds exactly what the summary counted, one line per event.
    const lines = readLines(join(data, 'events.jsonl'));
    expect(lines).toHaveLength(71);
    expect(new Set(lines.map((l) => l.messageId)).size).toBe(71);
    const classification = lines.find((l) => l.event === 'ai.classification' && l.userId === '+254712345678');
    expect(classification?.properties).toMatchObject({
      detected_intent: 'nil_filing',
      confidence: 0.99,
      model: 'llama3.2:3b',
    });
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
      expect(list.total).toBe(7);
      child.kill('SIGTERM');
      expect(await closed, output()).toBe(0);
      expect(output()).toMatch(
        /SIGTERM: draining and stopping\nstopped: \d+ OTLP requests, 72 events delivered in all/,
      );
      const lines = readLines(join(data, 'events.jsonl'));
      expect(lines).toHaveLength(72);
      expect(lines.at(-1)).toMatchObject({ event: 'ai.error', userId: '+254700000001' });
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
