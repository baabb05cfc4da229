import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { inMemoryInstruments } from '../../instrumentation/test-support/genai-client-telemetry';
import { OllamaCall } from '../src/ollama-call';

describe('OllamaCall', () => {
  it('ends the span of a response it cannot read, and does not throw into the caller', () => {
    const { exporter, instruments } = inMemoryInstruments();
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
