import { OTLPExporterBase } from '@opentelemetry/otlp-exporter-base';
import {
  convertLegacyHttpOptions,
  createOtlpHttpExportDelegate,
} from '@opentelemetry/otlp-exporter-base/node-http';
import {
  JsonTraceSerializer,
  ProtobufTraceSerializer,
  TraceExporterMetricsHelper,
} from '@opentelemetry/otlp-transformer';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import { validHeaders } from './http-header';
import type { OtlpProtocol } from './types';

/** What spantrack passes to the exporter: only what the application set in code. */
export interface ExplicitOtlpOptions {
  url?: string;
  headers?: Record<string, string>;
  timeoutMillis?: number;
  compression?: 'gzip' | 'none';
}

/** The exporter, and the URL it sends to (for the status lines: the exporter's own reading). */
export interface OtlpTraceExporter {
  exporter: SpanExporter;
  url: string;
}

/**
 * The OTLP/HTTP trace exporter of `@opentelemetry/exporter-trace-otlp-proto` / `-http`, built from
 * the same parts as those classes: the exporter reads the `OTEL_EXPORTER_OTLP_*` variables itself
 * (endpoint, headers, timeout, compression, TLS files), and explicit options win over them. One
 * difference: header entries that Node would refuse (a CR/LF in a value, a space in a name) are
 * left out, where the stock exporter sends them and fails every export. spantrack warns about
 * them when it reads its configuration.
 */
export function createOtlpTraceExporter(
  protocol: OtlpProtocol,
  explicit: ExplicitOtlpOptions,
): OtlpTraceExporter {
  const json = protocol === 'http/json';
  type LegacyConfig = Parameters<typeof convertLegacyHttpOptions>[0];
  const options = convertLegacyHttpOptions(explicit as LegacyConfig, 'TRACES', 'v1/traces', {
    'Content-Type': json ? 'application/json' : 'application/x-protobuf',
  });
  const merged = options.headers;
  options.headers = async () => validHeaders(await merged());
  const delegate = json
    ? createOtlpHttpExportDelegate(
        options,
        JsonTraceSerializer,
        'otlp_http_span_exporter',
        TraceExporterMetricsHelper,
        undefined,
      )
    : createOtlpHttpExportDelegate(
        options,
        ProtobufTraceSerializer,
        'otlp_http_span_exporter',
        TraceExporterMetricsHelper,
        undefined,
      );
  return { exporter: new OTLPExporterBase(delegate) as unknown as SpanExporter, url: options.url };
}
