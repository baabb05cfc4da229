import { SpantrackConfigError } from '@spantrack/processor';
import { describe, expect, it } from 'vitest';
import { parseKeyValueList, resolveConfig } from '../src/resolve-config';

function configError(fn: () => unknown): SpantrackConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SpantrackConfigError);
    return error as SpantrackConfigError;
  }
  throw new Error('expected a SpantrackConfigError');
}

describe('resolveConfig: defaults', () => {
  it('applies every default when neither options nor env say anything', () => {
    const c = resolveConfig({}, {});
    expect(c.disabled).toBe(false);
    expect(c.serviceName).toBe('unknown_service:node');
    expect(c.tracesExporter).toBe('otlp');
    expect(c.otlp).toEqual({
      endpoint: 'http://localhost:4318/v1/traces',
      endpointExplicit: false,
      headers: {},
      protocol: 'http/protobuf',
      compression: 'none',
      timeoutMillis: 10_000,
      // Nothing set in code: the exporter reads its env vars itself.
      explicit: {},
    });
    expect(c.mode).toBe('batch');
    expect(c.autoInstrument).toBe(true);
    expect(c.privacy.captureContent).toBe(false);
    expect(c.privacy.pseudonymizeUserIds).toBeUndefined();
    expect(c.catalogs).toBeUndefined();
    expect(c.shutdownTimeoutMillis).toBe(5_000);
    expect(c.jsonlPath).toBe('spantrack-events.jsonl');
  });

  it('without a write key: sink none and exactly one warning naming the env var', () => {
    const c = resolveConfig({}, {});
    expect(c.sink).toBe('none');
    expect(c.warnings).toHaveLength(1);
    expect(c.warnings[0]).toContain('SPANTRACK_SEGMENT_WRITE_KEY');
    expect(c.warnings[0]).toContain('traces still flow');
  });

  it('with a write key the sink defaults to segment, with no warning', () => {
    const c = resolveConfig({}, { SPANTRACK_SEGMENT_WRITE_KEY: 'wk' });
    expect(c.sink).toBe('segment');
    expect(c.segment.writeKey).toBe('wk');
    expect(c.warnings).toEqual([]);
  });

  it('SPANTRACK_SINK=none silences the missing-key warning', () => {
    expect(resolveConfig({}, { SPANTRACK_SINK: 'none' }).warnings).toEqual([]);
  });
});

describe('resolveConfig: option ?? env ?? default', () => {
  const env = {
    OTEL_SERVICE_NAME: 'env-service',
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/',
    OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20abc, x-team = ai ,broken',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_COMPRESSION: 'GZIP',
    OTEL_EXPORTER_OTLP_TIMEOUT: '2500',
    OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT: 'TRUE',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=prod,service.version=1.2.3',
    SPANTRACK_SEGMENT_WRITE_KEY: 'env-key',
    SPANTRACK_SEGMENT_HOST: 'http://127.0.0.1:9999',
    SPANTRACK_SEGMENT_PATH: '/v1/b',
    SPANTRACK_CATALOGS: 'ai-agent, customer-signals',
    SPANTRACK_PSEUDONYMIZE_SECRET: 's3cret',
    SPANTRACK_MODE: 'immediate',
    SPANTRACK_AUTO_INSTRUMENT: 'False',
    SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS: '1500',
  };

  it('reads every env var', () => {
    const c = resolveConfig({}, env);
    expect(c.serviceName).toBe('env-service');
    expect(c.resourceAttributes).toEqual({ 'deployment.environment': 'prod', 'service.version': '1.2.3' });
    expect(c.otlp.endpoint).toBe('http://collector:4318/v1/traces');
    expect(c.otlp.endpointExplicit).toBe(true);
    expect(c.otlp.headers).toEqual({ authorization: 'Bearer abc', 'x-team': 'ai' });
    expect(c.otlp.protocol).toBe('http/json');
    expect(c.otlp.compression).toBe('gzip');
    expect(c.otlp.timeoutMillis).toBe(2500);
    // Read to validate and report; the exporter is given none of them (it reads them itself).
    expect(c.otlp.explicit).toEqual({});
    expect(c.privacy.captureContent).toBe(true);
    expect(c.privacy.pseudonymizeUserIds).toEqual({ secret: 's3cret' });
    expect(c.sink).toBe('segment');
    expect(c.segment).toEqual({ writeKey: 'env-key', host: 'http://127.0.0.1:9999', path: '/v1/b' });
    expect(c.catalogs).toEqual(['ai-agent', 'customer-signals']);
    expect(c.mode).toBe('immediate');
    expect(c.autoInstrument).toBe(false);
    expect(c.shutdownTimeoutMillis).toBe(1500);
    // The header entry without `=` is skipped with a warning, as the OTel SDK does.
    expect(c.warnings).toEqual([expect.stringContaining('"broken" is not key=value')]);
  });

  it('options win over env, field by field (headers merged per key)', () => {
    const c = resolveConfig(
      {
        serviceName: 'opt-service',
        otlp: {
          endpoint: 'https://otlp.example.com/custom/traces',
          headers: { 'x-team': 'search' },
          protocol: 'http/protobuf',
          compression: 'none',
          timeoutMillis: 700,
        },
        segment: { writeKey: 'opt-key' },
        privacy: { captureContent: false, pseudonymizeUserIds: { secret: 'opt' } },
        catalogs: ['segment-copilot'],
        mode: 'batch',
        autoInstrument: true,
        shutdownTimeoutMillis: 900,
      },
      env,
    );
    expect(c.serviceName).toBe('opt-service');
    expect(c.otlp.endpoint).toBe('https://otlp.example.com/custom/traces');
    expect(c.otlp.headers).toEqual({ authorization: 'Bearer abc', 'x-team': 'search' });
    expect(c.otlp.protocol).toBe('http/protobuf');
    expect(c.otlp.compression).toBe('none');
    expect(c.otlp.timeoutMillis).toBe(700);
    // Only what was set in code is passed to the exporter.
    expect(c.otlp.explicit).toEqual({
      url: 'https://otlp.example.com/custom/traces',
      headers: { 'x-team': 'search' },
      compression: 'none',
      timeoutMillis: 700,
    });
    expect(c.segment.writeKey).toBe('opt-key');
    expect(c.segment.host).toBe('http://127.0.0.1:9999');
    expect(c.privacy).toEqual({ captureContent: false, pseudonymizeUserIds: { secret: 'opt' } });
    expect(c.catalogs).toEqual(['segment-copilot']);
    expect(c.mode).toBe('batch');
    expect(c.autoInstrument).toBe(true);
    expect(c.shutdownTimeoutMillis).toBe(900);
  });

  it('uses the signal-specific endpoint as-is and prefers TRACES_* over the generic variables (headers merged per key, as the exporter does)', () => {
    const c = resolveConfig(
      {},
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://specific:4318/my/path',
        OTEL_EXPORTER_OTLP_HEADERS: 'a=1',
        OTEL_EXPORTER_OTLP_TRACES_HEADERS: 'b=2',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_COMPRESSION: 'none',
        OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: 'gzip',
        OTEL_EXPORTER_OTLP_TIMEOUT: '100',
        OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: '200',
      },
    );
    expect(c.otlp).toMatchObject({
      endpoint: 'http://specific:4318/my/path',
      headers: { a: '1', b: '2' },
      protocol: 'http/json',
      compression: 'gzip',
      timeoutMillis: 200,
    });
  });

  it('OTEL_SERVICE_NAME wins over service.name in OTEL_RESOURCE_ATTRIBUTES, which wins over the default', () => {
    expect(resolveConfig({}, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs' }).serviceName).toBe(
      'from-attrs',
    );
    expect(
      resolveConfig({}, { OTEL_RESOURCE_ATTRIBUTES: 'service.name=from-attrs', OTEL_SERVICE_NAME: 'svc' })
        .serviceName,
    ).toBe('svc');
  });

  it('traces exporter: SPANTRACK_TRACES_EXPORTER, then OTEL_TRACES_EXPORTER (none honoured, others ignored)', () => {
    expect(resolveConfig({}, { OTEL_TRACES_EXPORTER: 'none' }).tracesExporter).toBe('none');
    expect(resolveConfig({}, { OTEL_TRACES_EXPORTER: 'otlp' }).tracesExporter).toBe('otlp');
    const zipkin = resolveConfig({}, { OTEL_TRACES_EXPORTER: 'zipkin,otlp', SPANTRACK_SINK: 'none' });
    expect(zipkin.tracesExporter).toBe('otlp');
    expect(zipkin.warnings).toEqual([expect.stringContaining('zipkin not supported')]);
    expect(
      resolveConfig({}, { OTEL_TRACES_EXPORTER: 'none', SPANTRACK_TRACES_EXPORTER: 'otlp' }).tracesExporter,
    ).toBe('otlp');
    expect(
      resolveConfig({ tracesExporter: 'none' }, { SPANTRACK_TRACES_EXPORTER: 'otlp' }).tracesExporter,
    ).toBe('none');
  });

  it('OTEL_SDK_DISABLED=true disables; other values follow the OTel spec (false, with a warning)', () => {
    expect(resolveConfig({}, { OTEL_SDK_DISABLED: 'true' }).disabled).toBe(true);
    const odd = resolveConfig({}, { OTEL_SDK_DISABLED: 'yes', SPANTRACK_SINK: 'none' });
    expect(odd.disabled).toBe(false);
    expect(odd.warnings).toEqual([expect.stringContaining('OTEL_SDK_DISABLED=yes')]);
  });

  it('a chosen segment sink without a write key still only warns (analytics off)', () => {
    const c = resolveConfig({ sink: 'segment' }, {});
    expect(c.sink).toBe('none');
    expect(c.warnings).toEqual([expect.stringContaining('segment sink was chosen but no write key')]);
  });

  it('sink by name from env, and sink objects', () => {
    expect(
      resolveConfig({}, { SPANTRACK_SINK: 'JSONL', SPANTRACK_JSONL_PATH: '/tmp/x.jsonl' }),
    ).toMatchObject({
      sink: 'jsonl',
      jsonlPath: '/tmp/x.jsonl',
    });
    const sink = {
      send: async () => ({ delivered: 0, failed: 0, errors: [] }),
      flush: async () => {},
      shutdown: async () => {},
    };
    expect(resolveConfig({ sink }, {}).sink).toBe(sink);
  });
});

describe('resolveConfig: invalid configuration names the option or env var and the fix', () => {
  it.each([
    [
      {},
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' },
      'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
      'full URL',
    ],
    [{}, { OTEL_EXPORTER_OTLP_ENDPOINT: 'localhost:4318' }, 'OTEL_EXPORTER_OTLP_ENDPOINT', 'http(s) URL'],
    [{ otlp: { endpoint: 'ftp://x/v1/traces' } }, {}, 'otlp.endpoint', 'http(s) URL'],
    [{}, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }, 'OTEL_EXPORTER_OTLP_PROTOCOL', 'use http/protobuf'],
    [{ otlp: { protocol: 'grpc' } }, {}, 'otlp.protocol', 'use http/protobuf'],
    [{}, { OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'thrift' }, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'http/json'],
    [{}, { OTEL_EXPORTER_OTLP_COMPRESSION: 'br' }, 'OTEL_EXPORTER_OTLP_COMPRESSION', 'gzip, none'],
    [{}, { OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' }, 'OTEL_EXPORTER_OTLP_TIMEOUT', 'positive number'],
    [{}, { SPANTRACK_SINK: 'kafka' }, 'SPANTRACK_SINK', 'segment, jsonl, console, none'],
    [{ sink: {} }, {}, 'sink', 'send()'],
    [{}, { SPANTRACK_CATALOGS: 'ai-agent,nope' }, 'SPANTRACK_CATALOGS', 'ai-agent'],
    [{}, { SPANTRACK_MODE: 'eager' }, 'SPANTRACK_MODE', 'batch, immediate'],
    [{}, { SPANTRACK_AUTO_INSTRUMENT: 'maybe' }, 'SPANTRACK_AUTO_INSTRUMENT', 'true or false'],
    [{}, { SPANTRACK_TRACES_EXPORTER: 'jaeger' }, 'SPANTRACK_TRACES_EXPORTER', 'otlp, none'],
    [{}, { SPANTRACK_SEGMENT_HOST: 'api.segment.io' }, 'SPANTRACK_SEGMENT_HOST', 'https://api.segment.io'],
    [
      { privacy: { pseudonymizeUserIds: { secret: '' } } },
      {},
      'privacy.pseudonymizeUserIds.secret',
      'SPANTRACK_PSEUDONYMIZE_SECRET',
    ],
    [{ shutdownTimeoutMillis: -1 }, {}, 'shutdownTimeoutMillis', 'positive number'],
  ] as const)('%j %j -> %s', (options, env, option, fix) => {
    const error = configError(() => resolveConfig(options as never, env));
    expect(error.option).toBe(option);
    expect(error.message).toContain(option);
    expect(error.message).toContain(fix);
  });
});

describe('parseKeyValueList', () => {
  it('splits at the first =, trims and URL-decodes', () => {
    expect(parseKeyValueList('a=1,b = x%3Dy ,c=%E2%9C%93', 'X')).toEqual({ a: '1', b: 'x=y', c: '✓' });
  });

  it('skips malformed entries with a warning', () => {
    const warnings: string[] = [];
    expect(parseKeyValueList('=v,ok=1,,bad%ZZ=2', 'X', warnings)).toEqual({ ok: '1' });
    expect(warnings).toHaveLength(2);
  });
});

describe('resolveConfig: logLevel', () => {
  it('the register entry speaks up by default, setup() does not', () => {
    expect(resolveConfig({}, {}, 'register').logLevel).toBe('info');
    expect(resolveConfig({}, {}, 'setup').logLevel).toBe('warn');
    expect(resolveConfig({}, {}).logLevel).toBe('warn');
  });

  it('option ?? SPANTRACK_LOG_LEVEL ?? SPANTRACK_QUIET ?? the entry default', () => {
    expect(resolveConfig({}, { SPANTRACK_QUIET: 'true' }, 'register').logLevel).toBe('warn');
    expect(resolveConfig({}, { SPANTRACK_QUIET: 'FALSE' }, 'register').logLevel).toBe('info');
    expect(
      resolveConfig({}, { SPANTRACK_LOG_LEVEL: 'None', SPANTRACK_QUIET: 'false' }, 'register').logLevel,
    ).toBe('none');
    expect(resolveConfig({}, { SPANTRACK_LOG_LEVEL: 'info', SPANTRACK_QUIET: 'true' }).logLevel).toBe('info');
    expect(resolveConfig({ logLevel: 'info' }, { SPANTRACK_LOG_LEVEL: 'none' }).logLevel).toBe('info');
  });

  it('bad values name their source', () => {
    expect(configError(() => resolveConfig({}, { SPANTRACK_LOG_LEVEL: 'debug' })).option).toBe(
      'SPANTRACK_LOG_LEVEL',
    );
    expect(configError(() => resolveConfig({}, { SPANTRACK_QUIET: 'yes' })).option).toBe('SPANTRACK_QUIET');
    expect(configError(() => resolveConfig({ logLevel: 'loud' as never }, {})).option).toBe('logLevel');
  });
});
