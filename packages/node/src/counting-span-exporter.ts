import { type ExportResult, ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { TraceExportStats } from './types';

/**
 * Wraps the OTLP exporter to count what it delivered and what it failed to deliver, so an
 * unreachable endpoint shows up in `stats()` (and one warning) instead of vanishing.
 */
export class CountingSpanExporter implements SpanExporter {
  private readonly counters: TraceExportStats = {
    exportsSucceeded: 0,
    exportsFailed: 0,
    spansExported: 0,
    spansFailed: 0,
  };
  private warned = false;

  constructor(
    private readonly inner: SpanExporter,
    private readonly onFirstFailure: (message: string) => void,
  ) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const count = spans.length;
    let settled = false;
    const done = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      if (result.code === ExportResultCode.SUCCESS) {
        this.counters.exportsSucceeded++;
        this.counters.spansExported += count;
      } else {
        this.fail(count, result.error);
      }
      resultCallback(result);
    };
    try {
      this.inner.export(spans, done);
    } catch (error) {
      done({
        code: ExportResultCode.FAILED,
        error: error instanceof Error ? error : new Error(String(error)),
      });
    }
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }

  stats(): TraceExportStats {
    return { ...this.counters };
  }

  private fail(count: number, error: Error | undefined): void {
    this.counters.exportsFailed++;
    this.counters.spansFailed += count;
    const message = error?.message ?? 'unknown error';
    this.counters.lastError = message;
    if (!this.warned) {
      this.warned = true;
      this.onFirstFailure(message);
    }
  }
}
