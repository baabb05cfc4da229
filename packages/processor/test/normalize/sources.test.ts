import { describe, expect, it } from 'vitest';
import { type AttributeValue, normalize, type SpanLike } from '../../src/index';
import { span } from '../pipeline/span-fixture';

const root = (attributes: Record<string, AttributeValue>, extra: Partial<SpanLike> = {}) =>
  span({ attributes, ...extra });
const child = (attributes: Record<string, AttributeValue>, extra: Partial<SpanLike> = {}) =>
  span({ attributes, parentSpanId: 'aaaaaaaaaaaaaaaa', ...extra });
const failed: Partial<SpanLike> = { status: { code: 2, message: 'boom' } };

describe('OpenInference source: every span kind', () => {
  it.each([
    ['LLM', child, {}, 'generation'],
    ['AGENT', child, {}, 'turn'],
    ['CHAIN', root, {}, 'turn'],
    ['CHAIN', child, {}, undefined],
    ['TOOL', child, {}, 'tool'],
    ['RETRIEVER', child, {}, 'tool'],
    ['RERANKER', child, {}, 'tool'],
    ['GUARDRAIL', child, {}, 'tool'],
    ['EMBEDDING', child, {}, undefined],
    ['EMBEDDING', child, failed, 'error'],
    ['EVALUATOR', child, {}, undefined],
    ['UNKNOWN', child, {}, undefined],
  ] as const)('%s (%#) is %s', (kind, make, extra, expected) => {
    expect(normalize(make({ 'openinference.span.kind': kind }, extra))?.kind).toBe(expected);
  });

  it('reads model, usage, cost, session, user, tool and the action type of retrieval', () => {
    const it_ = normalize(
      child({
        'openinference.span.kind': 'LLM',
        'llm.model_name': 'gpt-4o',
        'llm.provider': 'openai',
        'llm.token_count.prompt': 10,
        'llm.token_count.completion': 2,
        'llm.token_count.prompt_details.cache_read': 3,
        'llm.cost.total': 0.01,
        'session.id': 's-1',
        'user.id': 'u-1',
      }),
    );
    expect(it_).toMatchObject({
      source: 'openinference',
      model: 'gpt-4o',
      provider: 'openai',
      inputTokens: 10,
      outputTokens: 2,
      cacheReadTokens: 3,
      costUsd: 0.01,
      conversationId: 's-1',
      userId: 'u-1',
    });
    const retriever = normalize(child({ 'openinference.span.kind': 'RETRIEVER' }, { name: 'vector_search' }));
    expect(retriever).toMatchObject({ kind: 'tool', toolName: 'vector_search', actionType: 'retrieval' });
  });

  it('reads plain-text input and output only with content capture on', () => {
    const s = child({
      'openinference.span.kind': 'AGENT',
      'input.value': 'where is my order?',
      'output.value': 'shipped',
    });
    expect(normalize(s)).toMatchObject({ inputText: undefined, outputText: undefined });
    expect(normalize(s, { captureContent: true })).toMatchObject({
      inputText: 'where is my order?',
      outputText: 'shipped',
    });
    const json = child({
      'openinference.span.kind': 'LLM',
      'input.value': '{"model":"m"}',
      'input.mime_type': 'application/json',
      'llm.input_messages.0.message.role': 'system',
      'llm.input_messages.0.message.content': 'be brief',
      'llm.input_messages.1.message.role': 'user',
      'llm.input_messages.1.message.content': 'hi',
      'llm.output_messages.0.message.content': 'hello',
    });
    expect(normalize(json, { captureContent: true })).toMatchObject({ inputText: 'hi', outputText: 'hello' });
  });
});

describe('Vercel AI SDK source (ai.* spans)', () => {
  it.each([
    ['ai.generateText', 'turn'],
    ['ai.streamText', 'turn'],
    ['ai.generateObject', 'turn'],
    ['ai.streamObject', 'turn'],
    ['ai.generateText.doGenerate', 'generation'],
    ['ai.streamText.doStream', 'generation'],
    ['ai.generateObject.doGenerate', 'generation'],
    ['ai.streamObject.doStream', 'generation'],
    ['ai.toolCall', 'tool'],
    ['ai.embed', undefined],
    ['ai.embedMany.doEmbed', undefined],
  ])('%s is %s', (operation, expected) => {
    expect(normalize(child({ 'ai.operationId': operation }))?.kind).toBe(expected);
  });

  it('reads v4 and v5+ usage keys, the tool, the function id and metadata ids', () => {
    expect(
      normalize(
        child({
          'ai.operationId': 'ai.streamText.doStream',
          'ai.model.id': 'gpt-4o',
          'ai.model.provider': 'openai.chat',
          'ai.usage.promptTokens': 7,
          'ai.usage.completionTokens': 1,
          'ai.telemetry.functionId': 'triage',
          'ai.telemetry.metadata.userId': 'u',
          'ai.telemetry.metadata.conversationId': 'c',
        }),
      ),
    ).toMatchObject({
      model: 'gpt-4o',
      provider: 'openai.chat',
      inputTokens: 7,
      outputTokens: 1,
      agentName: 'triage',
      userId: 'u',
      conversationId: 'c',
    });
    expect(
      normalize(
        child({ 'ai.operationId': 'ai.toolCall', 'ai.toolCall.name': 'refund', 'ai.toolCall.id': 'call_9' }),
      ),
    ).toMatchObject({ toolName: 'refund', toolCallId: 'call_9' });
  });

  it('reads the prompt and the response text only with content capture on', () => {
    const s = root({
      'ai.operationId': 'ai.generateText',
      'ai.prompt': JSON.stringify({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] }),
      'ai.response.text': 'hello',
    });
    expect(normalize(s)).toMatchObject({ inputText: undefined, outputText: undefined });
    expect(normalize(s, { captureContent: true })).toMatchObject({ inputText: 'hi', outputText: 'hello' });
  });
});

describe('OpenLLMetry source (traceloop.*)', () => {
  it.each([
    [{ 'traceloop.span.kind': 'workflow' }, root, 'turn'],
    [{ 'traceloop.span.kind': 'workflow' }, child, undefined],
    [{ 'traceloop.span.kind': 'task' }, child, undefined],
    [{ 'traceloop.span.kind': 'agent' }, child, 'turn'],
    [{ 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'search' }, child, 'tool'],
    [{ 'llm.request.type': 'chat', 'gen_ai.system': 'OpenAI' }, child, 'generation'],
    [{ 'llm.request.type': 'embedding' }, child, undefined],
    [{ 'gen_ai.operation.name': 'execute_tool', 'traceloop.entity.name': 'lookup_order' }, child, 'tool'],
  ] as const)('%o is %s', (attributes, make, expected) => {
    expect(normalize(make(attributes))?.kind).toBe(expected);
  });

  it("names a LangChain tool from its ToolMessage when the entity name is LangChain's class", () => {
    const output = JSON.stringify({ kwargs: { name: 'lookup_order', content: 'order 42 shipped' } });
    const it_ = normalize(
      child({
        'gen_ai.operation.name': 'execute_tool',
        'traceloop.span.kind': 'task',
        'traceloop.entity.name': 'DynamicStructuredTool',
        'traceloop.entity.output': output,
      }),
    );
    expect(it_).toMatchObject({ kind: 'tool', toolName: 'lookup_order', outputText: undefined });
  });

  it('names a tool from traceloop.entity.name, reads llm.usage.* and association properties', () => {
    expect(
      normalize(child({ 'gen_ai.operation.name': 'execute_tool', 'traceloop.entity.name': 'lookup_order' })),
    ).toMatchObject({ source: 'openllmetry', toolName: 'lookup_order' });
    expect(
      normalize(
        child({
          'llm.request.type': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'llm.usage.prompt_tokens': 5,
          'llm.usage.completion_tokens': 6,
          'traceloop.association.properties.user_id': 'u',
          'traceloop.association.properties.session_id': 's',
        }),
      ),
    ).toMatchObject({ inputTokens: 5, outputTokens: 6, userId: 'u', conversationId: 's' });
  });
});

describe('official openai instrumentation and GenAI semconv sources', () => {
  const scope = { name: '@opentelemetry/instrumentation-openai' };
  it('chat is a generation; embeddings are an event only when they fail', () => {
    expect(normalize(child({ 'gen_ai.operation.name': 'chat' }, { scope }))).toMatchObject({
      kind: 'generation',
      source: 'openai_instrumentation',
    });
    expect(normalize(child({ 'gen_ai.operation.name': 'embeddings' }, { scope }))).toBeUndefined();
    expect(normalize(child({ 'gen_ai.operation.name': 'embeddings' }, { scope, ...failed }))?.kind).toBe(
      'error',
    );
    expect(normalize(child({ 'gen_ai.operation.name': 'embeddings' }))).toBeUndefined();
    expect(normalize(child({ 'gen_ai.operation.name': 'embeddings' }, failed))?.kind).toBe('error');
  });
});

describe("GenAI semconv source: the AI SDK's recorded runtime context", () => {
  it('an invoke_agent span names its user and conversation from ai.settings.context.*, in either casing', () => {
    const camel = normalize(
      root({
        'gen_ai.operation.name': 'invoke_agent',
        'ai.settings.context.userId': 'u-1',
        'ai.settings.context.sessionId': 's-1',
      }),
    );
    expect(camel).toMatchObject({ kind: 'turn', source: 'gen_ai', userId: 'u-1', conversationId: 's-1' });
    const snake = normalize(
      root({
        'gen_ai.operation.name': 'invoke_agent',
        'ai.settings.context.user_id': 'u-2',
        'ai.settings.context.conversation_id': 'c-2',
      }),
    );
    expect(snake).toMatchObject({ userId: 'u-2', conversationId: 'c-2' });
  });

  it('GenAI keys win over the runtime context; a chat span does not read it', () => {
    const both = normalize(
      root({
        'gen_ai.operation.name': 'invoke_agent',
        'user.id': 'u-semconv',
        'gen_ai.conversation.id': 'c-semconv',
        'ai.settings.context.userId': 'u-ctx',
        'ai.settings.context.sessionId': 's-ctx',
      }),
    );
    expect(both).toMatchObject({ userId: 'u-semconv', conversationId: 'c-semconv' });
    const chat = normalize(child({ 'gen_ai.operation.name': 'chat', 'ai.settings.context.userId': 'u-1' }));
    expect(chat?.userId).toBeUndefined();
  });
});

describe('an error.type that is a bare HTTP status', () => {
  const failedWith = (exceptionType: string) =>
    normalize(
      child(
        { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'error.type': '500' },
        {
          status: { code: 2, message: '500 Internal Server Error' },
          events: [
            {
              name: 'exception',
              timeUnixNano: 0n,
              attributes: { 'exception.type': exceptionType, 'exception.message': 'Internal Server Error' },
            },
          ],
        },
      ),
    );

  it("takes the error's class from the exception event", () => {
    expect(failedWith('InternalServerError')?.error).toMatchObject({
      type: 'server_error',
      class: 'InternalServerError',
    });
  });

  it('keeps the status as the class when the exception says only Error', () => {
    expect(failedWith('Error')?.error).toMatchObject({ type: 'server_error', class: '500' });
  });
});
