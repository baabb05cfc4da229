import type { AttributeValue, SpanEventLike, SpanLike } from '../../src/index';
/** 2024-01-01T00:00:00.000Z in nanoseconds. */
export const T0 = 1_704_067_200_000_000_000n;
export const MS = 1_000_000n;
export const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
export const SPAN_ID = '00f067aa0ba902b7';

export interface SpanFixture extends Partial<Omit<SpanLike, 'attributes'>> {
  attributes?: Record<string, AttributeValue | undefined>;
  /** Duration in ms (start = T0). */
  durationMs?: number;
}

/** A `SpanLike` with defaults: ids, a 0 ms span at T0, status unset, no events. */
export function span(fixture: SpanFixture = {}): SpanLike {
  const { durationMs, attributes, ...rest } = fixture;
  const start = rest.startTimeUnixNano ?? T0;
  return {
    traceId: TRACE_ID,
    spanId: SPAN_ID,
    name: 'span',
    kind: 0,
    startTimeUnixNano: start,
    endTimeUnixNano: start + BigInt(durationMs ?? 0) * MS,
    attributes: attributes ?? {},
    events: [],
    status: { code: 0 },
    resource: { 'service.name': 'test' },
    scope: { name: '@spantrack/instrumentation', version: '0.1.0' },
    ...rest,
  };
}

export function exceptionEvent(type: string | undefined, message: string | undefined): SpanEventLike {
  const attributes: Record<string, AttributeValue> = {};
  if (type !== undefined) attributes['exception.type'] = type;
  if (message !== undefined) attributes['exception.message'] = message;
  return { name: 'exception', timeUnixNano: T0, attributes };
}

/** ISO of T0 + ms. */
export function iso(ms = 0): string {
  return new Date(Number(T0 / MS) + ms).toISOString();
}

/** The AI agent tracking plan walkthrough as the tracker writes it (docs/span-model.md, `classify`). */
export function walkthroughClassificationSpan(): SpanLike {
  return span({
    name: 'classify default',
    durationMs: 450,
    attributes: {
      'spantrack.interaction.kind': 'classification',
      'gen_ai.agent.name': 'default',
      'user.id': '+254712345678',
      'spantrack.channel': 'whatsapp',
      'spantrack.intent.name': 'nil_filing',
      'spantrack.intent.confidence': 0.99,
      'gen_ai.request.model': 'llama3.2:3b',
      'gen_ai.response.model': 'llama3.2:3b',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 15,
      'spantrack.input.text': 'I want to file nil returns',
    },
  });
}

/** A price for the walkthrough's local model, so tests about something else see no `unpriced_model`. */
export const WALKTHROUGH_PRICES = { 'llama3.2:3b': { input: 0, output: 0 } };
