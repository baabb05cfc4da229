import { describe, expect, it } from 'vitest';
import { type AttributeValue, createTranslator, type SpanLike, type TrackMessage } from '../../src/index';
import { exceptionEvent, MS, span, T0 } from '../pipeline/span-fixture';

type Attrs = Record<string, AttributeValue>;

/** A span of one trace: id, parent, [start, end] in ms from T0. */
function s(
  id: string,
  parent: string | undefined,
  at: [number, number],
  attributes: Attrs,
  extra: Partial<SpanLike> = {},
) {
  return span({
    spanId: id.padStart(16, '0'),
    parentSpanId: parent?.padStart(16, '0'),
    name: id,
    startTimeUnixNano: T0 + BigInt(at[0]) * MS,
    endTimeUnixNano: T0 + BigInt(at[1]) * MS,
    attributes,
    ...extra,
  });
}

const chat = (tokensIn: number, tokensOut: number): Attrs => ({
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o-mini',
  'gen_ai.usage.input_tokens': tokensIn,
  'gen_ai.usage.output_tokens': tokensOut,
});

const translator = createTranslator();
function events(spans: SpanLike[]): TrackMessage[] {
  return translator.many(spans).flatMap((r) => r.messages as TrackMessage[]);
}
const names = (messages: TrackMessage[]) => messages.map((m) => m.event).sort();

describe('trace rules (translator.many)', () => {
  it("an agent span inside spantrack's conversation.turn() adds no second message pair; the turn's Message Received sums its model calls once", () => {
    const messages = events([
      s('a', undefined, [0, 100], {
        'spantrack.interaction.kind': 'turn',
        'gen_ai.conversation.id': 'c1',
        'user.id': 'u1',
      }),
      s('b', 'a', [1, 99], { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support' }),
      s('c', 'b', [2, 30], chat(100, 10)),
      s('d', 'b', [31, 40], { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'lookup_order' }),
      s('e', 'b', [41, 90], chat(200, 20)),
    ]);
    expect(names(messages)).toEqual([
      'Action Invoked',
      'Message Received',
      'Message Sent',
      'ai.generation',
      'ai.generation',
    ]);
    const received = messages.find((m) => m.event === 'Message Received')!;
    // (300 × 0.15 + 30 × 0.6) / 1e6
    expect(received.properties).toMatchObject({
      conversationId: 'c1',
      prompt_tokens: 300,
      completion_tokens: 30,
      cost_usd: 6.3e-5,
    });
    // Every event of the trace carries the user the turn named.
    for (const m of messages) expect(m.userId).toBe('u1');
  });

  it('a failed agent turn sends Message Sent but no Message Received; its failed model call is one ai.error of the documented type', () => {
    const messages = events([
      s(
        'a',
        undefined,
        [0, 100],
        { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'c2' },
        {
          status: { code: 2, message: 'Request timed out.' },
        },
      ),
      s('b', 'a', [1, 99], chat(0, 0), {
        status: { code: 2 },
        events: [exceptionEvent('APIConnectionTimeoutError', 'Request timed out.')],
      }),
    ]);
    expect(names(messages)).toEqual(['Conversation Started', 'Message Sent', 'ai.error']);
    expect(messages.find((m) => m.event === 'ai.error')!.properties).toEqual({
      error_type: 'timeout',
      error_class: 'APIConnectionTimeoutError',
    });
  });

  it('a turn that failed of its own documented cause, no model call under it failing, reports that ai.error itself', () => {
    const messages = events([
      s(
        'a',
        undefined,
        [0, 100],
        { 'ai.operationId': 'ai.generateObject', 'ai.telemetry.metadata.sessionId': 'c4' },
        {
          status: { code: 2 },
          events: [
            exceptionEvent('AI_NoObjectGeneratedError', 'No object generated: could not parse the response.'),
          ],
        },
      ),
      s('b', 'a', [1, 99], { ...chat(5, 5), 'ai.operationId': 'ai.generateObject.doGenerate' }),
    ]);
    expect(names(messages)).toEqual(['Conversation Started', 'Message Sent', 'ai.error', 'ai.generation']);
    expect(messages.find((m) => m.event === 'ai.error')!.properties).toEqual({
      error_type: 'json_parse_error',
      error_class: 'AI_NoObjectGeneratedError',
    });
    // A cause that is not documented stays out of ai.error: the turn only lacks Message Received.
    const unknown = events([
      s(
        'a',
        undefined,
        [0, 100],
        { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': 'c5' },
        {
          status: { code: 2 },
          events: [exceptionEvent('ValidationError', 'bad input')],
        },
      ),
    ]);
    expect(names(unknown)).toEqual(['Conversation Started', 'Message Sent']);
  });

  it('two producers instrumenting one model call give one ai.generation, counted once', () => {
    const messages = events([
      s('a', undefined, [0, 100], {
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o-mini-2024-07-18',
        'llm.token_count.prompt': 12,
        'llm.token_count.completion': 3,
      }),
      s('b', 'a', [1, 99], chat(12, 3), { scope: { name: '@opentelemetry/instrumentation-openai' } }),
    ]);
    expect(names(messages)).toEqual(['ai.generation']);
    expect(messages[0]!.properties).toMatchObject({ prompt_tokens: 12, completion_tokens: 3 });
  });

  it('finds parents the same way in a short trace, a long one, and a batch whose traces are mixed', () => {
    // One model call instrumented twice, under a turn, among `extra` unrelated spans of the trace.
    const trace = (extra: number, traceId: string) =>
      [
        s('a', undefined, [0, 100], {
          'spantrack.interaction.kind': 'turn',
          'gen_ai.conversation.id': 'c',
          'user.id': 'u',
        }),
        ...Array.from({ length: extra }, (_, k) => s(`x${k}`, 'a', [1, 2], { 'http.request.method': 'GET' })),
        s('b', 'a', [1, 99], {
          'openinference.span.kind': 'LLM',
          'llm.model_name': 'gpt-4o-mini-2024-07-18',
          'llm.token_count.prompt': 12,
          'llm.token_count.completion': 3,
        }),
        s('c', 'b', [2, 98], chat(12, 3), { scope: { name: '@opentelemetry/instrumentation-openai' } }),
      ].map((span) => ({ ...span, traceId }));
    const summary = (spans: SpanLike[]) =>
      events(spans)
        .map((m) => `${m.event}:${m.properties.prompt_tokens ?? ''}`)
        .sort();
    const expected = ['Message Received:12', 'Message Sent:', 'ai.generation:12'];
    expect(summary(trace(0, 'a'.repeat(32)))).toEqual(expected);
    expect(summary(trace(30, 'a'.repeat(32)))).toEqual(expected);
    // Two traces, their spans interleaved: each is still one call and one turn.
    const one = trace(2, 'a'.repeat(32));
    const two = trace(2, 'b'.repeat(32));
    const mixed = one.flatMap((span, k) => [span, two[k]!]);
    expect(summary(mixed)).toEqual([...expected, ...expected].sort());
  });

  it('a wrapper without usage reports its inner call once, with the inner usage', () => {
    const messages = events([
      s('a', undefined, [0, 100], { 'spantrack.interaction.kind': 'generation', 'user.id': 'u' }),
      s('b', 'a', [1, 99], chat(40, 4)),
    ]);
    expect(names(messages)).toEqual(['ai.generation']);
    expect(messages[0]!.properties).toMatchObject({
      model: 'gpt-4o-mini',
      prompt_tokens: 40,
      completion_tokens: 4,
    });
  });

  it('retried attempts are not extra events: a retry that succeeds is one ai.generation, one that keeps failing one ai.error', () => {
    const turn = { 'ai.operationId': 'ai.generateText', 'ai.model.id': 'gpt-4o-mini' };
    const attempt = (ok: boolean): Partial<SpanLike> =>
      ok ? {} : { status: { code: 2 }, events: [exceptionEvent('AI_APICallError', 'Internal Server Error')] };
    const step = { ...chat(10, 1), 'ai.operationId': 'ai.generateText.doGenerate' };
    const recovered = events([
      s('a', undefined, [0, 100], turn),
      s('b', 'a', [1, 10], step, attempt(false)),
      s('c', 'a', [11, 99], step, attempt(true)),
    ]);
    expect(names(recovered)).toEqual(['ai.generation']);
    const failed = events([
      s('a', undefined, [0, 100], turn, { status: { code: 2 } }),
      s('b', 'a', [1, 10], step, attempt(false)),
      s('c', 'a', [11, 20], step, attempt(false)),
      s('d', 'a', [21, 99], step, attempt(false)),
    ]);
    expect(names(failed)).toEqual(['ai.error']);
    expect(failed[0]!.properties).toMatchObject({
      error_class: 'AI_APICallError',
      recovery_attempt: 2,
      recovered: false,
    });
  });

  it('one Action Invoked per tool execution, whichever key names the tool and however many spans wrap it', () => {
    const messages = events([
      s('a', undefined, [0, 100], {
        'spantrack.interaction.kind': 'tool',
        'gen_ai.tool.name': 'lookup_order',
        'gen_ai.conversation.id': 'c3',
      }),
      s('b', 'a', [1, 99], {
        'gen_ai.operation.name': 'execute_tool',
        'traceloop.entity.name': 'lookup_order',
      }),
      s(
        'c',
        undefined,
        [0, 10],
        {
          'gen_ai.operation.name': 'execute_tool',
          'traceloop.entity.name': 'refund',
          'gen_ai.conversation.id': 'c3',
        },
        { traceId: 'ffffffffffffffffffffffffffffffff' },
      ),
    ]);
    expect(messages.map((m) => [m.event, m.properties.action])).toEqual([
      ['Action Invoked', 'lookup_order'],
      ['Action Invoked', 'refund'],
    ]);
  });

  it('a conversation only another producer reports is started once per conversation id', () => {
    const turn = (id: string, at: [number, number]) =>
      s(
        id,
        undefined,
        at,
        { 'openinference.span.kind': 'AGENT', 'session.id': 'sess-9' },
        { traceId: id.repeat(32) },
      );
    const messages = events([turn('1', [0, 10]), turn('2', [20, 30])]);
    const started = messages.filter((m) => m.event === 'Conversation Started');
    expect(started).toHaveLength(2);
    // Same id twice: Segment keeps one.
    expect(started[0]!.messageId).toBe(started[1]!.messageId);
    expect(started[0]!.properties).toEqual({ conversationId: 'sess-9' });
  });

  it('shares the user a trace carries anywhere with every event of it', () => {
    const fromRoot = events([
      s('a', undefined, [0, 100], {
        'openinference.span.kind': 'CHAIN',
        'user.id': 'root-user',
        'session.id': 's1',
      }),
      s('b', 'a', [1, 50], { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o' }),
      s('c', 'a', [51, 99], { 'openinference.span.kind': 'TOOL', 'tool.name': 'search' }),
    ]);
    expect(names(fromRoot)).toEqual([
      'Action Invoked',
      'Conversation Started',
      'Message Received',
      'Message Sent',
      'ai.generation',
    ]);
    for (const m of fromRoot) expect(m.userId).toBe('root-user');
    // Named only by a leaf (an AI SDK call's metadata): the turn's events carry it too.
    const fromLeaf = events([
      s('a', undefined, [0, 100], { 'spantrack.interaction.kind': 'turn', 'gen_ai.conversation.id': 'c' }),
      s('b', 'a', [1, 99], {
        'ai.operationId': 'ai.toolCall',
        'ai.toolCall.name': 'x',
        'ai.telemetry.metadata.userId': 'leaf-user',
      }),
    ]);
    expect(fromLeaf.map((m) => [m.event, m.userId, m.anonymousId])).toEqual([
      ['Message Sent', 'leaf-user', undefined],
      ['Message Received', 'leaf-user', undefined],
      ['Action Invoked', 'leaf-user', undefined],
    ]);
  });
  it('takes who and where from spans that make no event (an HTTP server root), the value nearest the root winning', () => {
    const request = s('a', undefined, [0, 100], {
      'http.request.method': 'POST',
      'user.id': 'from-http-root',
      'gen_ai.conversation.id': 'conv-7',
      'spantrack.org.id': 'org-1',
      'spantrack.workspace.id': 'ws-1',
      'spantrack.channel': 'whatsapp',
      'spantrack.app_surface': 'inbox',
      'spantrack.anonymous.id': 'anon-1',
    });
    const turn = s('b', 'a', [1, 99], { 'spantrack.interaction.kind': 'turn', 'user.id': 'deeper-user' });
    const tool = s('c', 'b', [2, 50], {
      'spantrack.interaction.kind': 'tool',
      'gen_ai.tool.name': 'lookup',
      'spantrack.action.type': 'api_call',
    });
    // A span of another trace in the same batch lends nothing to this one.
    const other = {
      ...s('d', undefined, [0, 10], { 'user.id': 'other-trace-user' }),
      traceId: 'f'.repeat(32),
    };
    const results = translator.many([tool, other, turn, request]);
    const messages = results.flatMap((r) => r.messages as TrackMessage[]);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    for (const m of messages) {
      // The turn's own value stays; what it lacks, and all the tool lacks, comes from the root.
      expect(m.userId).toBe(m.event === 'Action Invoked' ? 'from-http-root' : 'deeper-user');
      expect(m.anonymousId).toBe('anon-1');
      expect(m.context).toEqual({ channel: 'whatsapp' });
    }
    const signal = translator.many([
      request,
      s('e', 'a', [3, 4], {
        'spantrack.interaction.kind': 'signal',
        'spantrack.signal.event': 'detected',
        'spantrack.signal.signal_type': 'frustration',
      }),
    ]);
    const detected = signal
      .flatMap((r) => r.messages as TrackMessage[])
      .find((m) => m.properties.app_surface !== undefined);
    expect(detected?.properties).toMatchObject({
      app_surface: 'inbox',
      org_id: 'org-1',
      workspace_id: 'ws-1',
    });
    // The span that makes no event is reported as such, and its ids are not checked or reported.
    expect(results[1]!.recognised).toBe(false);
    expect(results[3]!.diagnostics.map((d) => d.code)).toEqual(['unrecognised']);
    // Malformed ids lend nothing; a malformed span lends nothing and breaks nothing.
    const bad = s('a', undefined, [0, 100], { 'user.id': '', 'spantrack.channel': 12 });
    const hostile = { ...s('z', 'a', [0, 1], {}), attributes: null } as unknown as SpanLike;
    const lone = translator.many([
      bad,
      hostile,
      s('b', 'a', [1, 99], {
        'spantrack.interaction.kind': 'turn',
        'spantrack.anonymous.id': 'anon-2',
        'gen_ai.conversation.id': 'c2',
      }),
    ]);
    const sent = lone.flatMap((r) => r.messages as TrackMessage[]);
    expect(sent.length).toBeGreaterThan(0);
    for (const m of sent) {
      expect(m.userId).toBeUndefined();
      expect(m.context).toEqual({ channel: '12' });
    }
  });
});
