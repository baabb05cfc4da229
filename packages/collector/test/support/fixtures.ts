import { type Attributes, context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export const RESOURCE = {
  'service.name': 'collector-test',
  'service.version': '1.2.3',
  'deployment.environment.name': 'test',
};

/** A tracer that records into memory, with the SDK's real span objects. */
export function memoryTracer() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(RESOURCE),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { tracer: provider.getTracer('@spantrack/instrumentation', '0.1.0'), exporter, provider };
}

/**
 * `n` agent turns, each a trace: a turn root (which alone carries user and conversation ids), a
 * classification, a chat generation and a plain HTTP span under it.
 */
export function agentTraces(n: number, tag = 't'): ReadableSpan[] {
  const { tracer, exporter } = memoryTracer();
  const t0 = Date.now() - 10_000;
  for (let i = 0; i < n; i++) {
    const root = tracer.startSpan('invoke_agent support-bot', {
      startTime: t0 + i,
      attributes: {
        'spantrack.interaction.kind': 'turn',
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'support-bot',
        'user.id': `user-${tag}-${i % 7}`,
        'gen_ai.conversation.id': `conv-${tag}-${i}`,
        'spantrack.channel': 'web',
        'spantrack.input.message_id': `m-${tag}-${i}-in`,
        'spantrack.output.message_id': `m-${tag}-${i}-out`,
      },
    });
    const parent = trace.setSpan(context.active(), root);
    const classify = tracer.startSpan(
      'classify support-bot',
      {
        startTime: t0 + i + 1,
        attributes: {
          'spantrack.interaction.kind': 'classification',
          'spantrack.intent.name': 'refund',
          'spantrack.intent.confidence': 0.9,
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.provider.name': 'openai',
        },
      },
      parent,
    );
    classify.end(t0 + i + 50);
    const chat = tracer.startSpan(
      'chat gpt-4o-mini',
      {
        kind: SpanKind.CLIENT,
        startTime: t0 + i + 60,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.provider.name': 'openai',
          'gen_ai.usage.input_tokens': 100 + i,
          'gen_ai.usage.output_tokens': 20,
        },
      },
      parent,
    );
    chat.end(t0 + i + 200);
    const http = tracer.startSpan(
      'GET',
      { kind: SpanKind.CLIENT, startTime: t0 + i + 210, attributes: { 'http.request.method': 'GET' } },
      parent,
    );
    http.end(t0 + i + 220);
    root.end(t0 + i + 300);
  }
  return exporter.getFinishedSpans();
}

/** One span with every field the decoders read, including values the SDK itself never records. */
export function everyFieldSpan(): ReadableSpan {
  const { tracer, exporter } = memoryTracer();
  const parent = tracer.startSpan('parent');
  const span = tracer.startSpan(
    'every field',
    { kind: SpanKind.PRODUCER, startTime: [1_700_000_000, 123_456_789] },
    trace.setSpan(context.active(), parent),
  );
  span.addEvent(
    'exception',
    { 'exception.type': 'TimeoutError', 'exception.message': 'boom' },
    [1_700_000_000, 500_000_000],
  );
  span.setStatus({ code: SpanStatusCode.ERROR, message: 'it failed' });
  span.end([1_700_000_001, 987_654_321]);
  parent.end();
  const real = exporter.getFinishedSpans()[0]!;
  const attributes = {
    str: 'héllo wörld ✓',
    empty: '',
    yes: true,
    no: false,
    int: 42,
    negative: -7,
    big: 2 ** 40 + 3,
    double: 3.25,
    strings: ['a', 'b'],
    ints: [1, 2, 3],
    bools: [true, false],
    mixed: [1, 'x', true],
    bytes: new Uint8Array([0, 1, 2, 250]),
    nested: { a: [1, { b: 'c' }], d: { e: true, f: 1.5 } },
  } as unknown as Attributes;
  return {
    name: real.name,
    kind: real.kind,
    spanContext: () => real.spanContext(),
    parentSpanContext: real.parentSpanContext,
    startTime: real.startTime,
    endTime: real.endTime,
    status: real.status,
    attributes,
    links: [],
    events: real.events,
    duration: real.duration,
    ended: true,
    resource: real.resource,
    instrumentationScope: real.instrumentationScope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

export const toProtobuf = (spans: ReadableSpan[]): Buffer =>
  Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);
export const toJson = (spans: ReadableSpan[]): Buffer =>
  Buffer.from(JsonTraceSerializer.serializeRequest(spans)!);
