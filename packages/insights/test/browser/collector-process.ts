import { type ChildProcessByStdio, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/**
 * The collector's command (`spantrack-collector`) from the workspace's build. Started as its own
 * process, as a user runs it: `@spantrack/collector` depends on this package, so the tests of this
 * package cannot import it.
 */
const COLLECTOR_CLI = join(dirname(fileURLToPath(import.meta.url)), '../../../collector/dist/cli.js');

export interface CollectorProcess {
  /** OTLP/HTTP traces endpoint. */
  tracesUrl: string;
  /** The dashboard the collector serves over its store (`/`). */
  dashboardUrl: string;
  /** Resolves once every event the collector delivered is in the store (or counted as not stored). */
  stored(timeoutMs?: number): Promise<{ delivered: number; stored: number }>;
  /** SIGTERM, as a user stops it; resolves with its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `spantrack-collector --store FILE` on 127.0.0.1 (free port, no gRPC, null sink: the store
 * is what the dashboard reads), with content capture on so histories show text.
 */
export async function startCollectorProcess(): Promise<CollectorProcess> {
  if (!existsSync(COLLECTOR_CLI)) {
    throw new Error(`${COLLECTOR_CLI} is missing: build first (npx turbo run build)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'insights-collector-'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('SPANTRACK_') && !k.startsWith('OTEL_')) env[k] = v;
  }
  // The workload's fixed timestamps must not age out of the store.
  env.SPANTRACK_INSIGHTS_RETENTION_DAYS = '0';
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    [
      COLLECTOR_CLI,
      '--http-host',
      '127.0.0.1',
      '--http-port',
      '0',
      '--grpc-port',
      'off',
      '--sink',
      'null',
      '--capture-content',
      '--store',
      join(dir, 'events.duckdb'),
    ],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (c: Buffer) => {
    output += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    output += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const [base, dashboardUrl] = await new Promise<[string, string]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`collector did not start:\n${output}`)), 20_000);
    const check = () => {
      const listening = /OTLP\/HTTP listening on (http:\/\/\S+?)[ ,(]/.exec(output);
      const dashboard = /dashboard at (http:\/\/\S+\/)/.exec(output);
      if (listening && dashboard) {
        clearTimeout(timer);
        resolve([listening[1]!, dashboard[1]!]);
      }
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`collector exited with ${code}:\n${output}`));
    });
  });

  const counters = async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    const read = (re: RegExp) => Number(re.exec(text)?.[1] ?? 0);
    return {
      delivered: read(/^spantrack_collector_messages_delivered_total (\d+)/m),
      deduplicated: read(/^spantrack_collector_messages_deduplicated_total (\d+)/m),
      stored: read(/^spantrack_collector_store_messages_total\{outcome="stored"\} (\d+)/m),
      notStored: read(/^spantrack_collector_store_messages_total\{outcome="failed"\} (\d+)/m),
    };
  };

  return {
    tracesUrl: `${base}/v1/traces`,
    dashboardUrl,
    async stored(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const c = await counters();
        if (c.stored + c.notStored + c.deduplicated >= c.delivered) return c;
        if (Date.now() > deadline) throw new Error(`store did not catch up: ${JSON.stringify(c)}\n${output}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
