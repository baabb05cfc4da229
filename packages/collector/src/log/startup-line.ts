import type { Collector } from '../collector';
import { describeSink } from '../config';
import type { LogEvent } from './log-event';

/**
 * The line a collector prints once it listens (on stdout, where scripts read the URLs): the same
 * for one process and for the primary of `--workers N`, which prints its first worker's.
 */
export function startupLine(collector: Collector): { line: string; event: LogEvent } {
  const parts: string[] = [];
  if (collector.httpUrl) parts.push(`OTLP/HTTP listening on ${collector.httpUrl} (POST /v1/traces)`);
  if (collector.grpcUrl) parts.push(`OTLP/gRPC listening on ${collector.grpcUrl}`);
  const ack = collector.config.ack === 'delivered' ? 'ack after delivery' : 'ack on receipt';
  const traces = collector.forwardUrl
    ? `traces forwarded to ${collector.forwardUrl}`
    : 'traces not forwarded (--forward-traces URL sends them to a trace backend)';
  const store = collector.config.store
    ? `; events also stored in ${collector.config.store}${collector.dashboardUrl ? `, dashboard at ${collector.dashboardUrl}` : ''}`
    : '';
  return {
    line: `${parts.join(', ')}; events to ${describeSink(collector.config.sink)} (${ack}); ${traces}${store}`,
    event: {
      level: 'info',
      msg: 'started',
      http_url: collector.httpUrl ?? null,
      traces_url: collector.tracesUrl ?? null,
      grpc_url: collector.grpcUrl ?? null,
      sink: describeSink(collector.config.sink),
      ack: collector.config.ack,
      forward_traces: collector.forwardUrl ?? null,
      store: collector.config.store || null,
      dashboard_url: collector.dashboardUrl ?? null,
    },
  };
}
