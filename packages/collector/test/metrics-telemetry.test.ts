import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { MemorySink } from '@spantrack/processor';
import { afterEach, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../src/collector';
import { OUTCOME_STATUS } from '../src/otlp/outcome-status';
import { agentTraces, toJson, toProtobuf } from './support/fixtures';
import { post } from './support/post';

/** One OTLP/JSON number data point as sent: `asInt` is a decimal string, `asDouble` a number. */
interface JsonPoint {
  attributes?: { key: string; value: Record<string, unknown> }[];
  asInt?: string | number;
  asDouble?: number;
  count?: string | number;
  sum?: number;
}
interface JsonMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints: JsonPoint[]; isMonotonic?: boolean };
  gauge?: { dataPoints: JsonPoint[] };
  histogram?: { dataPoints: JsonPoint[] };
}
interface ExportMetricsRequest {
  resourceMetrics: {
    resource: { attributes: { key: string; value: Record<string, unknown> }[] };
    scopeMetrics: { scope: { name: string }; metrics: JsonMetric[] }[];
  }[];
}

/** A metrics backend on 127.0.0.1: takes OTLP/HTTP JSON exports (gzip or not) and keeps them decoded. */
async function startMetricsBackend() {
  const requests: ExportMetricsRequest[] = [];
  const paths: string[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      paths.push(req.url ?? '');
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      if (req.headers['content-type'] !== 'application/json') {
        res.writeHead(415).end();
        return;
      }
      requests.push(JSON.parse(body.toString('utf8')) as ExportMetricsRequest);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    paths,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Every data point of `name` in the last export, as { attributes, value } (histograms: their count). */
function pointsOf(request: ExportMetricsRequest | undefined, name: string) {
  const metric = request?.resourceMetrics
    .flatMap((r) => r.scopeMetrics)
    .flatMap((s) => s.metrics)
    .find((m) => m.name === name);
  const points = metric?.sum?.dataPoints ?? metric?.gauge?.dataPoints ?? metric?.histogram?.dataPoints ?? [];
  return points.map((p) => ({
    attributes: Object.fromEntries((p.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]])),
    value: metric?.histogram ? Number(p.count) : Number(p.asInt ?? p.asDouble),
  }));
}

let collector: Collector | undefined;
let backend: Awaited<ReturnType<typeof startMetricsBackend>> | undefined;
afterEach(async () => {
  await collector?.close();
  await backend?.close();
  collector = undefined;
  backend = undefined;
});

const JSON_HEADERS = { 'content-type': 'application/json' };

describe('the collector\u2019s metrics', () => {
  it('exports its own metrics and the dashboards\u2019 figures over OTLP/HTTP to --metrics-otlp-endpoint', async () => {
    backend = await startMetricsBackend();
    const sink = new MemorySink();
    collector = await startCollector({
      http: { port: 0 },
      grpc: false,
      sink,
      // A bare origin: the collector appends /v1/metrics.
      metricsOtlpEndpoint: backend.origin,
      metricsExportIntervalMs: 3_600_000,
    });
    for (let i = 0; i < 3; i++) {
      const answer = await post(collector.tracesUrl!, toJson(agentTraces(4, `otlp${i}`)), JSON_HEADERS);
      expect(answer.status).toBe(200);
    }
    expect((await post(collector.tracesUrl!, Buffer.from('{'), JSON_HEADERS)).status).toBe(400);
    // Closing exports what is left: the last export holds every figure.
    await collector.close();
    expect(backend.paths.at(-1)).toBe('/v1/metrics');
    const last = backend.requests.at(-1);
    const resource = Object.fromEntries(
      (last?.resourceMetrics[0]?.resource.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]),
    );
    expect(resource['service.name']).toBe('spantrack-collector');

    const requests = pointsOf(last, 'spantrack.collector.requests');
    expect(requests).toContainEqual({ attributes: { transport: 'http', outcome: 'ok' }, value: 3 });
    expect(requests).toContainEqual({ attributes: { transport: 'http', outcome: 'invalid' }, value: 1 });
    // 3 requests of 4 traces of 4 spans each.
    expect(pointsOf(last, 'spantrack.collector.spans_received')).toEqual([{ attributes: {}, value: 48 }]);
    expect(pointsOf(last, 'spantrack.collector.messages_delivered')).toEqual([
      { attributes: {}, value: sink.messages.length },
    ]);
    expect(pointsOf(last, 'spantrack.collector.request_duration_seconds')).toEqual([
      { attributes: { transport: 'http' }, value: 4 },
    ]);
    // One classification per trace, its channel carried from the turn root.
    expect(pointsOf(last, 'spantrack.ai.classifications')).toEqual([
      { attributes: { intent: 'refund', channel: 'web' }, value: 12 },
    ]);
    const classifications = sink.messages.filter(
      (m) => m.type === 'track' && m.event === 'ai.classification',
    );
    expect(classifications).toHaveLength(12);
  });

  it('serves the dashboards\u2019 figures at /metrics with the collector\u2019s own series', async () => {
    collector = await startCollector({ http: { port: 0 }, grpc: false, sink: new MemorySink() });
    const answer = await post(collector.tracesUrl!, toProtobuf(agentTraces(5, 'prom')), {
      'content-type': 'application/x-protobuf',
    });
    expect(answer.status).toBe(200);
    const text = await (await fetch(`${collector.httpUrl}/metrics`)).text();
    expect(text).toContain('spantrack_ai_classifications_total{intent="refund",channel="web"} 5\n');
    expect(text).toContain('spantrack_ai_requests_total{event="classification",channel="web"} 5\n');
    expect(text).toContain('spantrack_collector_requests_total{transport="http",outcome="ok"} 1\n');
    expect(text).toContain('spantrack_collector_spans_received_total 20\n');
    expect(text).toMatch(/^# TYPE spantrack_ai_latency histogram$/m);
  });

  it('does not count a retried request\u2019s messages twice in the figures', async () => {
    collector = await startCollector({ http: { port: 0 }, grpc: false, sink: new MemorySink() });
    const body = toJson(agentTraces(2, 'retry'));
    expect((await post(collector.tracesUrl!, body, JSON_HEADERS)).status).toBe(200);
    expect((await post(collector.tracesUrl!, body, JSON_HEADERS)).status).toBe(200);
    const text = await (await fetch(`${collector.httpUrl}/metrics`)).text();
    expect(text).toContain('spantrack_ai_classifications_total{intent="refund",channel="web"} 2\n');
    expect(text).toMatch(/^spantrack_collector_messages_deduplicated_total [1-9]\d*$/m);
  });

  it('refuses a metrics endpoint that is not an http(s) URL, naming the setting', async () => {
    await expect(
      startCollector({ http: { port: 0 }, grpc: false, metricsOtlpEndpoint: 'ftp://x' }),
    ).rejects.toThrow(/metricsOtlpEndpoint: expected an http:\/\/ or https:\/\/ URL/);
    await expect(
      startCollector({
        http: { port: 0 },
        grpc: false,
        env: { SPANTRACK_COLLECTOR_METRICS_OTLP_ENDPOINT: 'not a url' },
      }),
    ).rejects.toThrow(/SPANTRACK_COLLECTOR_METRICS_OTLP_ENDPOINT/);
  });

  it('keeps running and says so once when the metrics backend is down', async () => {
    backend = await startMetricsBackend();
    const origin = backend.origin;
    await backend.close();
    backend = undefined;
    const lines: string[] = [];
    collector = await startCollector({
      http: { port: 0 },
      grpc: false,
      sink: new MemorySink(),
      metricsOtlpEndpoint: `${origin}/v1/metrics`,
      metricsExportIntervalMs: 100,
      log: (line) => lines.push(line),
    });
    // Several intervals, each failing: said once.
    await new Promise((r) => setTimeout(r, 800));
    expect((await post(collector.tracesUrl!, toJson(agentTraces(1, 'down')), JSON_HEADERS)).status).toBe(200);
    expect(lines.filter((l) => l.startsWith(`metrics export to ${origin}/v1/metrics failing`))).toHaveLength(
      1,
    );
  });
});

describe('one status table for both transports', () => {
  it('answers each outcome with the HTTP status and gRPC code of its row', async () => {
    collector = await startCollector({
      http: { port: 0 },
      grpc: false,
      sink: new MemorySink(),
      bearerToken: 't',
    });
    const cases = [
      { outcome: 'unauthorized', headers: JSON_HEADERS, body: Buffer.from('{}') },
      {
        outcome: 'unsupported',
        headers: { 'content-type': 'text/plain', authorization: 'Bearer t' },
        body: Buffer.from('x'),
      },
      { outcome: 'invalid', headers: { ...JSON_HEADERS, authorization: 'Bearer t' }, body: Buffer.from('{') },
    ] as const;
    for (const c of cases) {
      const answer = await post(collector.tracesUrl!, c.body, c.headers);
      const row = OUTCOME_STATUS[c.outcome];
      expect(answer.status, c.outcome).toBe(row.http);
      // The body is a google.rpc.Status; over JSON its code is readable as is, over protobuf it is field 1.
      const code =
        answer.headers['content-type'] === 'application/json'
          ? (JSON.parse(answer.body.toString()) as { code: number }).code
          : answer.body[1];
      expect(code, c.outcome).toBe(row.grpc);
      expect(answer.headers['retry-after'], c.outcome).toBeUndefined();
    }
    const text = await (
      await fetch(`${collector.httpUrl}/metrics`, { headers: { authorization: 'Bearer t' } })
    ).text();
    for (const c of cases)
      expect(text).toContain(
        `spantrack_collector_requests_total{transport="http",outcome="${c.outcome}"} 1\n`,
      );
  });
});
