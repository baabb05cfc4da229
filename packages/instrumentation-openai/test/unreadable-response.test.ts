import { metrics, SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { OpenAICall } from '../src/openai-call';

describe('OpenAICall', () => {
  it('ends the span of a response it cannot read, and does not throw into the caller', () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const meter = metrics.getMeter('test');
    const instruments = {
      tracer: provider.getTracer('test'),
      duration: meter.createHistogram('d'),
      tokens: meter.createHistogram('t'),
    };
    const call = new OpenAICall(instruments, 'chat', { model: 'gpt-4o-mini' }, undefined, true);
    const hostile = {
      get choices(): unknown[] {
        throw new Error('getter exploded');
      },
    };
    expect(() => call.succeed(hostile)).not.toThrow();
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('chat gpt-4o-mini');
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });
});
