import { BUILTIN_CATALOGS } from '@spantrack/processor';
import type { ResolvedConfig } from './resolve-config';
import type { SetupState, SpantrackStats } from './types';

/**
 * A URL fit to print: scheme, host, port and path only. Credentials in the user-info part and
 * tokens in the query string (some backends take their API key there) are left out.
 */
export function printableUrl(value: string): string {
  try {
    const url = new URL(value);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return '(an invalid URL)';
  }
}

/** Where analytics events go, for messages: never the write key. */
export function describeSink(config: ResolvedConfig): string {
  const sink = config.sink;
  if (typeof sink === 'object') return `the sink ${sink.constructor?.name ?? 'object'}`;
  switch (sink) {
    case 'jsonl':
      return `the jsonl sink (${config.jsonlPath})`;
    case 'segment':
      return `Segment (${printableUrl(config.segment.host ?? 'https://api.segment.io')})`;
    default:
      return `the ${sink} sink`;
  }
}

function catalogNames(config: ResolvedConfig): string {
  const catalogs = config.catalogs ?? Object.keys(BUILTIN_CATALOGS);
  return catalogs.map((c) => (typeof c === 'string' ? c : (c?.name ?? 'custom'))).join(', ');
}

/**
 * The line printed at startup: where traces go, where events go, and whether content and raw user
 * ids may leave the process. Headers and the write key are never part of it.
 */
export function startupLine(
  config: ResolvedConfig,
  state: SetupState,
  tracesUrl: string | undefined,
): string {
  const traces =
    tracesUrl !== undefined
      ? `traces to ${printableUrl(tracesUrl)} (OTLP ${config.otlp.protocol})`
      : state === 'attached'
        ? "traces through the existing provider's own exporters"
        : 'traces not exported';
  const events =
    config.sink === 'none'
      ? 'analytics events off'
      : `events to ${describeSink(config)}, catalogs ${catalogNames(config)}`;
  const content = `content capture ${config.privacy.captureContent === true ? 'ON' : 'off'}`;
  const pseudonymised = `user-id pseudonymisation ${config.privacy.pseudonymizeUserIds !== undefined ? 'on' : 'off'}`;
  const provider = state === 'registered' ? '' : ` (${state} to an existing tracer provider)`;
  return `started${provider}: ${traces}; ${events}; ${content}; ${pseudonymised}`;
}

/** The line printed at exit: what was sent, and what was not. */
export function exitLine(stats: SpantrackStats): string {
  const t = stats.traces;
  const traces =
    t === undefined
      ? `${stats.spansEnded} span(s) ended`
      : // Failed, dropped, or still buffered at exit: every ended span goes to the exporter.
        `${stats.spansEnded} span(s) ended, ${t.spansExported} exported (${Math.max(0, stats.spansEnded - t.spansExported)} not exported)`;
  const a = stats.analytics;
  const events =
    a === undefined
      ? 'analytics events off'
      : `${a.messagesDelivered} event(s) delivered (${a.messagesFailed + a.messagesDropped + a.pendingMessages} not delivered)`;
  return `exiting: ${traces}; ${events}`;
}
