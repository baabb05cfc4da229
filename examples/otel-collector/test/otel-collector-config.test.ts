import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/*
 * The OpenTelemetry Collector cannot run here (no binary, no network beyond the npm registry), so
 * these tests check what can be checked without it: every file parses as YAML, every component a
 * pipeline names is defined, and the settings the README's guarantees rest on are present.
 */

type Config = {
  extensions?: Record<string, unknown>;
  receivers: Record<string, unknown>;
  processors?: Record<string, unknown>;
  exporters: Record<string, Record<string, unknown>>;
  service: {
    extensions?: string[];
    pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>;
  };
};

function load(file: string): Config {
  return parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8')) as Config;
}

/** What the Collector itself checks at start: each referenced component is configured. */
function expectWellFormed(config: Config): void {
  for (const name of config.service.extensions ?? []) expect(config.extensions, name).toHaveProperty([name]);
  for (const [name, pipeline] of Object.entries(config.service.pipelines)) {
    expect(name.split('/')[0]).toBe('traces');
    for (const r of pipeline.receivers) expect(config.receivers, r).toHaveProperty([r]);
    for (const p of pipeline.processors ?? []) expect(config.processors, p).toHaveProperty([p]);
    for (const e of pipeline.exporters) expect(config.exporters, e).toHaveProperty([e]);
    // memory_limiter first, as the Collector's documentation asks.
    expect(pipeline.processors?.[0]).toBe('memory_limiter');
  }
}

describe('otel-collector.yaml (one spantrack collector)', () => {
  const config = load('otel-collector.yaml');

  it('is a well-formed Collector configuration', () => {
    expectWellFormed(config);
    expect(config.service.pipelines.traces).toEqual({
      receivers: ['otlp'],
      processors: ['memory_limiter', 'batch'],
      exporters: ['otlphttp/spantrack'],
    });
  });

  it('forwards with otlphttp: gzip, retries through outages, a persistent queue', () => {
    const exporter = config.exporters['otlphttp/spantrack']!;
    expect(exporter).toMatchObject({
      // The Collector's own ${env:...} substitution, not a JavaScript template.
      endpoint: ['$', '{env:SPANTRACK_ENDPOINT}'].join(''),
      compression: 'gzip',
      retry_on_failure: { enabled: true, max_elapsed_time: '1h' },
      sending_queue: { enabled: true, storage: 'file_storage/queue' },
    });
    expect(config.service.extensions).toContain('file_storage/queue');
    // Longer than spantrack's default delivery timeout (5 s): spantrack answers 503 first.
    expect(Number.parseInt(String(exporter.timeout), 10)).toBeGreaterThan(5);
  });
});

describe('otel-collector-loadbalancing.yaml (three spantrack replicas)', () => {
  const config = load('otel-collector-loadbalancing.yaml');

  it('is a well-formed Collector configuration', () => {
    expectWellFormed(config);
    expect(config.service.pipelines.traces).toEqual({
      receivers: ['otlp'],
      processors: ['memory_limiter', 'groupbytrace'],
      exporters: ['loadbalancing'],
    });
  });

  it('groups whole traces, then routes each trace to one replica over OTLP/gRPC', () => {
    expect(config.processors?.groupbytrace).toMatchObject({ wait_duration: '2s' });
    const lb = config.exporters.loadbalancing!;
    expect(lb).toMatchObject({
      routing_key: 'traceID',
      retry_on_failure: { enabled: true, max_elapsed_time: '1h' },
      sending_queue: { enabled: true, storage: 'file_storage/queue' },
      protocol: { otlp: { compression: 'gzip', tls: { insecure: true } } },
    });
    // spantrack's gRPC port, on three replicas.
    expect(lb.resolver).toEqual({
      static: { hostnames: ['spantrack-0:4317', 'spantrack-1:4317', 'spantrack-2:4317'] },
    });
  });
});

describe('otel-collector-fanout.yaml (a trace backend and spantrack from one pipeline)', () => {
  const config = load('otel-collector-fanout.yaml');

  it('is a well-formed Collector configuration with two exporters in one traces pipeline', () => {
    expectWellFormed(config);
    expect(config.service.pipelines).toEqual({
      traces: {
        receivers: ['otlp'],
        processors: ['memory_limiter', 'batch'],
        exporters: ['otlphttp/traces', 'otlphttp/spantrack'],
      },
    });
  });

  it('gives each side its own retries and persistent queue, so one outage does not starve the other', () => {
    const env = (name: string) => ['$', `{env:${name}}`].join('');
    const traces = config.exporters['otlphttp/traces']!;
    const spantrack = config.exporters['otlphttp/spantrack']!;
    expect(traces.endpoint).toBe(env('TRACE_BACKEND_ENDPOINT'));
    expect(spantrack.endpoint).toBe(env('SPANTRACK_ENDPOINT'));
    for (const exporter of [traces, spantrack]) {
      expect(exporter).toMatchObject({
        compression: 'gzip',
        retry_on_failure: { enabled: true, max_elapsed_time: '1h' },
        sending_queue: { enabled: true, storage: 'file_storage/queue' },
      });
    }
    expect(Number.parseInt(String(spantrack.timeout), 10)).toBeGreaterThan(5);
    expect(config.service.extensions).toContain('file_storage/queue');
  });
});
