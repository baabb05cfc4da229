import { metrics, SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { OllamaCall } from '../src/ollama-call';

describe('OllamaCall', () => {
  it('ends the span of a response it cannot read, and does not throw into the caller', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const meter = metrics.getMeter('test');
    const instruments = {
      tracer: provider.getTracer('test'),
      duration: meter.createHistogram('d'),
      tokens: meter.createHistogram('t'),
    };
    const call = new OllamaCall(instruments, 'chat', { model: 'llama3.2:3b' }, undefined, true);
    const hostile = {
      get model(): string {
        throw new Error('getter exploded');
      },
    };
    expect(() => call.succeed(hostile)).not.toThrow();
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('chat llama3.2:3b');
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });
});
