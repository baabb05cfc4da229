import { createNoopMeter, type MeterProvider, metrics } from '@opentelemetry/api';
import { version } from '../../package.json';
import { SpantrackConfigError } from '../config-error';
import type { Sink } from '../sinks/sink';
import { MetricsSink } from './metrics-sink';

/** The instrumentation scope the figures are recorded under. */
export const FIGURES_METER_NAME = '@spantrack/processor';

/**
 * The sink behind the `meterProvider` option: wrapped in a `MetricsSink` that records the
 * dashboards' figures on that provider, or on the global one when the option is unset (a no-op
 * until the application registers a MeterProvider, which must happen before the processor is
 * built: the API hands out meters of the provider registered at the time). `false`: not recorded.
 */
export function withFigures(sink: Sink, value: MeterProvider | false | undefined): Sink {
  if (value === false) return sink;
  if (value !== undefined && typeof (value as Partial<MeterProvider> | null)?.getMeter !== 'function') {
    throw new SpantrackConfigError('meterProvider', 'must be an OpenTelemetry MeterProvider or false');
  }
  const meter = (value ?? metrics.getMeterProvider()).getMeter(FIGURES_METER_NAME, version);
  // The API's no-op provider (none registered) records nothing: the messages skip the counting.
  if (meter.constructor === NOOP_METER_CLASS) return sink;
  return new MetricsSink(sink, { meter });
}

const NOOP_METER_CLASS = createNoopMeter().constructor;
