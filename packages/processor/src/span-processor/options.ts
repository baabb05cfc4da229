import type { MeterProvider } from '@opentelemetry/api';
import { SpantrackConfigError } from '../config-error';
import { withFigures } from '../figures/figures-sink';
import { DeduplicatingSink } from '../sinks/deduplicating-sink';
import type { DedupeWindowOptions } from '../sinks/delivered-id-window';
import type { Sink } from '../sinks/sink';

/** The `sink` option of the span processor and the span exporter, checked. */
export function requireSink(options: unknown): Sink {
  const sink = (options as { sink?: unknown } | null | undefined)?.sink as Sink | undefined;
  if (
    options === null ||
    typeof options !== 'object' ||
    typeof sink !== 'object' ||
    sink === null ||
    typeof sink.send !== 'function' ||
    typeof sink.flush !== 'function' ||
    typeof sink.shutdown !== 'function'
  ) {
    throw new SpantrackConfigError(
      'sink',
      'is required and must have send(), flush() and shutdown() (e.g. new SegmentSink({ writeKey }) or new MemorySink())',
    );
  }
  return sink;
}

/** The `onDeliveryFailure` option, checked. */
export function deliveryFailureCallback(
  value: unknown,
): ((failed: number, firstError: Error) => void) | undefined {
  if (value !== undefined && typeof value !== 'function') {
    throw new SpantrackConfigError('onDeliveryFailure', 'must be a function (failed, firstError) => void');
  }
  return value as ((failed: number, firstError: Error) => void) | undefined;
}

/** A positive number option, floored; undefined when unset. */
export function positive(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new SpantrackConfigError(name, `must be a positive number, got ${String(value)}`);
  }
  return Math.floor(value);
}

/**
 * The sink the processor and the exporter hand messages to: the dashboards' figures recorded on the
 * `meterProvider` option's provider (inside), then the `dedupeWindow` (outside, so a message not
 * sent again is not counted again).
 */
export function analyticsSink(options: {
  sink?: Sink;
  meterProvider?: MeterProvider | false;
  dedupeWindow?: DedupeWindowOptions | false;
}): Sink {
  return deduplicated(withFigures(requireSink(options), options.meterProvider), options.dedupeWindow);
}

/**
 * The sink behind the `dedupeWindow` option: wrapped in a `DeduplicatingSink` unless it is `false`,
 * with the window's bounds checked.
 */
export function deduplicated(sink: Sink, value: DedupeWindowOptions | false | undefined): Sink {
  if (value === false) return sink;
  if (value !== undefined && (value === null || typeof value !== 'object')) {
    throw new SpantrackConfigError('dedupeWindow', 'must be false or { maxMessageIds?, maxAgeMillis? }');
  }
  const maxMessageIds = positive(value?.maxMessageIds, 'dedupeWindow.maxMessageIds');
  const maxAgeMillis = positive(value?.maxAgeMillis, 'dedupeWindow.maxAgeMillis');
  return new DeduplicatingSink(sink, {
    ...(maxMessageIds !== undefined && { maxMessageIds }),
    ...(maxAgeMillis !== undefined && { maxAgeMillis }),
  });
}

/** Messages a `DeduplicatingSink` kept from being sent twice; 0 for any other sink. */
export function deduplicatedCount(sink: Sink): number {
  return sink instanceof DeduplicatingSink ? sink.stats.deduplicated : 0;
}
