import { SpantrackConfigError } from '@spantrack/processor';

const OPTION = 'metricsOtlpEndpoint';
const VARIABLE = 'SPANTRACK_COLLECTOR_METRICS_OTLP_ENDPOINT';

/**
 * The OTLP/HTTP metrics URL, `option ?? env`: a bare origin gets `/v1/metrics` (as the OTLP exporters
 * treat `OTEL_EXPORTER_OTLP_ENDPOINT`), any other path is used as given; undefined when unset.
 * @throws SpantrackConfigError naming the option or the variable when it is not an http(s) URL
 */
export function resolveMetricsOtlpUrl(
  option: string | undefined,
  env: string | undefined,
): string | undefined {
  const raw = option ?? env;
  if (raw === undefined) return undefined;
  const setting = option !== undefined ? OPTION : VARIABLE;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SpantrackConfigError(
      setting,
      `expected an http:// or https:// URL, got ${JSON.stringify(raw)}`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new SpantrackConfigError(
      setting,
      `expected an http:// or https:// URL, got ${JSON.stringify(raw)}`,
    );
  if (url.pathname === '/' || url.pathname === '') return `${url.origin}/v1/metrics${url.search}`;
  return url.href;
}
