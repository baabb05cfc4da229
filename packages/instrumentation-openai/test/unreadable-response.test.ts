import { SpanStatusCode } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { inMemoryInstruments } from '../../instrumentation/test-support/genai-client-telemetry';
import { OpenAICall } from '../src/openai-call';

describe('OpenAICall', () => {
  it('ends the span of a response it cannot read, and does not throw into the caller', () => {
    const { exporter, instruments } = inMemoryInstruments();
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
