import { randomUUID } from 'node:crypto';
import type { Meter } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, type MetricReader, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { version } from '../../package.json';
import type { LogEvent } from '../log/log-event';
import { observeProcessMemory } from './process-metrics';
import { ReportingMetricExporter } from './reporting-metric-exporter';

/** The instrumentation scope of the collector's own instruments. */
export const COLLECTOR_METER_NAME = '@spantrack/collector';

/** Where the collector's metrics go besides `/metrics`. */
export interface MetricsExportConfig {
  /** OTLP/HTTP metrics URL (`…/v1/metrics`), or undefined for `/metrics` only. */
  otlpUrl: string | undefined;
  /** How often the OTLP reader exports. */
  intervalMs: number;
}

/** The collector's MeterProvider: read by `/metrics` (Prometheus text) and, when set, exported over OTLP. */
export interface CollectorTelemetry {
  readonly provider: MeterProvider;
  /** The meter of the collector's own instruments. */
  readonly meter: Meter;
  /** Everything recorded so far in the Prometheus text format 0.0.4. */
  renderPrometheus(): Promise<string>;
  /** Exports what is left over OTLP (when set) and stops, within `timeoutMs`. Idempotent. */
  shutdown(timeoutMs: number): Promise<void>;
}

/**
 * A MeterProvider whose Prometheus reader is read on the collector's own port (the exporter's server
 * is never started), plus a periodic OTLP/HTTP reader when `otlpUrl` is set. Each process is one
 * `service.instance.id`: with `--workers N`, every worker exports its own series over OTLP.
 */
export async function createCollectorTelemetry(
  config: MetricsExportConfig,
  log: (line: string, event: LogEvent) => void,
): Promise<CollectorTelemetry> {
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  // Scope labels left out: the series keep the names and labels they had before the SDK served them.
  const serializer = new PrometheusSerializer(undefined, false, undefined, false, true);
  const readers: MetricReader[] = [prometheus];
  if (config.otlpUrl !== undefined) {
    // One export (its retries included) ends within an interval: a failure is reported before the
    // next export starts, and shutdown is not held by an unreachable backend.
    const timeoutMillis = Math.min(config.intervalMs, 10_000);
    // Loaded only when asked for: the OTLP exporter and its serializers are most of the startup cost.
    const { OTLPMetricExporter } = await import('@opentelemetry/exporter-metrics-otlp-http');
    const otlp = new OTLPMetricExporter({ url: config.otlpUrl, timeoutMillis });
    readers.push(
      new PeriodicExportingMetricReader({
        exporter: new ReportingMetricExporter(otlp, config.otlpUrl, log),
        exportIntervalMillis: config.intervalMs,
        exportTimeoutMillis: timeoutMillis,
      }),
    );
  }
  const provider = new MeterProvider({
    resource: resourceFromAttributes({
      'service.name': 'spantrack-collector',
      'service.version': version,
      'service.instance.id': randomUUID(),
    }),
    readers,
  });
  const meter = provider.getMeter(COLLECTOR_METER_NAME, version);
  observeProcessMemory(meter);
  let stopped: Promise<void> | undefined;
  return {
    provider,
    meter,
    async renderPrometheus() {
      try {
        const { resourceMetrics } = await prometheus.collect();
        return serializer.serialize(resourceMetrics);
      } catch (error) {
        // After shutdown the reader refuses to collect: a comment, which scrapers ignore.
        return `# metrics unavailable: ${(error as Error).message}\n`;
      }
    },
    shutdown(timeoutMs: number) {
      stopped ??= provider.shutdown({ timeoutMillis: Math.max(1, timeoutMs) }).catch(() => {
        // A backend that does not answer in time loses the last interval; the collector still stops.
      });
      return stopped;
    },
  };
}
