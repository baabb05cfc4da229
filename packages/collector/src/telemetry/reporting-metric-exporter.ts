import {
  type AggregationOption,
  AggregationTemporality,
  AggregationType,
  type InstrumentType,
  type PushMetricExporter,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { LogEvent } from '../log/log-event';

type ResultCallback = Parameters<PushMetricExporter['export']>[1];
/** `ExportResultCode.SUCCESS` of `@opentelemetry/core`. */
const SUCCESS = 0;

/**
 * An exporter that says when exporting starts failing and when it recovers, once each: the SDK
 * reports failures only to `diag`, which has no logger in the collector, so a metrics backend that
 * is down would otherwise go unnoticed.
 */
export class ReportingMetricExporter implements PushMetricExporter {
  private failing = false;

  constructor(
    private readonly inner: PushMetricExporter,
    private readonly url: string,
    private readonly log: (line: string, event: LogEvent) => void,
  ) {}

  export(metrics: ResourceMetrics, resultCallback: ResultCallback): void {
    this.inner.export(metrics, (result) => {
      if (result.code !== SUCCESS && !this.failing) {
        this.failing = true;
        const reason = result.error?.message ?? 'unknown error';
        this.log(`metrics export to ${this.url} failing: ${reason}`, {
          level: 'warn',
          msg: 'metrics export failing',
          url: this.url,
          error: reason,
        });
      } else if (result.code === SUCCESS && this.failing) {
        this.failing = false;
        this.log(`metrics export to ${this.url} recovered`, {
          level: 'info',
          msg: 'metrics export recovered',
          url: this.url,
        });
      }
      resultCallback(result);
    });
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  selectAggregationTemporality(instrumentType: InstrumentType): AggregationTemporality {
    // The OTLP exporter always has one; the fallback is the SDK default.
    return this.inner.selectAggregationTemporality?.(instrumentType) ?? AggregationTemporality.CUMULATIVE;
  }

  selectAggregation(instrumentType: InstrumentType): AggregationOption {
    return this.inner.selectAggregation?.(instrumentType) ?? { type: AggregationType.DEFAULT };
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}
