import { metrics, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import {
  createGenAiClientHistograms,
  ENV_CAPTURE_MESSAGE_CONTENT,
  ModelCall,
  resolveCaptureContent,
  tracedChunks,
} from '../src/model-call/index';

/*
 * `@spantrack/instrumentation/model-call`, the part the Ollama and OpenAI instrumentations share:
 * a streamed answer ends its model call's span exactly once, however the stream ends.
 */

function streamedCall() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  // No meter provider is registered: the API's no-op meter (the instrumentations' tests read metrics).
  const histograms = createGenAiClientHistograms(metrics.getMeter('test'));
  const call = new ModelCall(
    { tracer: provider.getTracer('test'), ...histograms },
    {
      spanName: 'chat llama3.2:3b',
      commonAttributes: { 'gen_ai.operation.name': 'chat' },
      spanAttributes: {},
    },
  );
  const chunks: string[] = [];
  const end = {
    succeed: () => call.succeed({ attributes: { 'gen_ai.response.model': chunks.join('') } }),
    fail: (error: unknown) => call.fail(error, 'StreamError'),
  };
  return { exporter, chunks, end };
}

async function* source(parts: string[], failAfter?: number): AsyncGenerator<string> {
  for (const [i, part] of parts.entries()) {
    if (i === failAfter) throw new Error('connection reset');
    yield part;
  }
}

describe('tracedChunks', () => {
  it('passes every chunk through and ends the call with what they added up to', async () => {
    const { exporter, chunks, end } = streamedCall();
    const seen: string[] = [];
    for await (const c of tracedChunks(
      () => source(['a', 'b', 'c']),
      (c) => chunks.push(c),
      end,
    ))
      seen.push(c);
    expect(seen).toEqual(['a', 'b', 'c']);
    const [span] = exporter.getFinishedSpans();
    expect(exporter.getFinishedSpans()).toHaveLength(1);
    expect(span!.kind).toBe(SpanKind.CLIENT);
    expect(span!.attributes).toEqual({ 'gen_ai.operation.name': 'chat', 'gen_ai.response.model': 'abc' });
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('a caller that stops early (break) still ends the call, once, with what it read', async () => {
    const { exporter, chunks, end } = streamedCall();
    for await (const c of tracedChunks(
      () => source(['a', 'b', 'c']),
      (c) => chunks.push(c),
      end,
    )) {
      if (c === 'b') break;
    }
    expect(exporter.getFinishedSpans().map((s) => s.attributes['gen_ai.response.model'])).toEqual(['ab']);
  });

  it('a stream that throws fails the call with the error and rethrows it to the caller', async () => {
    const { exporter, chunks, end } = streamedCall();
    const read = async () => {
      for await (const _ of tracedChunks(
        () => source(['a', 'b'], 1),
        (c) => chunks.push(c),
        end,
      )) {
        // reading
      }
    };
    await expect(read()).rejects.toThrow('connection reset');
    const spans = exporter.getFinishedSpans();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'connection reset' });
    expect(spans[0]!.attributes['error.type']).toBe('StreamError');
  });
});

describe('resolveCaptureContent: option ?? env ?? off', () => {
  it.each([
    [true, undefined, true],
    [false, 'true', false],
    [undefined, 'TRUE', true],
    [undefined, 'yes', false],
    [undefined, undefined, false],
  ] as const)('option %s, env %s: %s', (option, env, expected) => {
    const vars = env === undefined ? {} : { [ENV_CAPTURE_MESSAGE_CONTENT]: env };
    expect(resolveCaptureContent(option, vars)).toBe(expected);
  });
});
