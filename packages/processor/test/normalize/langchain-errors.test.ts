import { describe, expect, it } from 'vitest';
import { normalize } from '../../src/index';
import {
  langChainRunErrorClass,
  specificErrorClass,
} from '../../src/normalize/sources/langchain-error-class';
import type { SpanLike } from '../../src/span-like';
import { exceptionEvent, span } from '../pipeline/span-fixture';

/** LangChain's run error text: the message, a blank line, then the stack (which repeats the message). */
const runError = (name: string, message: string) =>
  `${message}\n\n${name}: ${message}\n    at wrapOpenAIClientError (client.js:14:11)\n    at async pRetry (index.js:124:19)`;

describe('error classes as LangChain reports them', () => {
  it('the generic Error is no class; any other name is kept', () => {
    expect(specificErrorClass('Error')).toBeUndefined();
    expect(specificErrorClass('TimeoutError')).toBe('TimeoutError');
    expect(specificErrorClass(undefined)).toBeUndefined();
  });

  it.each([
    [runError('TimeoutError', 'Request timed out.'), 'TimeoutError'],
    [
      runError('ContextOverflowError', "400 This model's maximum context length is 128000 tokens."),
      'ContextOverflowError',
    ],
    [runError('Error', '500 boom'), undefined],
    // A blank line inside the message: the stack is the part that repeats the whole message.
    [runError('TimeoutError', 'first\n\nNote: second'), 'TimeoutError'],
    ['500 boom', undefined],
    ['boom\n\nnot a stack', undefined],
    // "Name: " after a blank line that does not repeat the message is not a stack header.
    ['boom\n\nHint: retry later', undefined],
    ['', undefined],
  ])('%j names %s', (text, expected) => {
    expect(langChainRunErrorClass(text)).toBe(expected);
  });

  it('a run error too long to be searched names nothing', () => {
    expect(langChainRunErrorClass(runError('TimeoutError', 'x'.repeat(70_000)))).toBeUndefined();
  });
});

const failedLlm = (extra: Partial<SpanLike>) =>
  span({ attributes: { 'openinference.span.kind': 'LLM', 'llm.model_name': 'gpt-4o-mini' }, ...extra });

describe('OpenInference: the class of a failed LangChain run, from its status', () => {
  it('a timeout: error_type timeout, the class from the stack', () => {
    const it_ = normalize(
      failedLlm({ status: { code: 2, message: runError('TimeoutError', 'Request timed out.') } }),
    );
    expect(it_?.error).toMatchObject({ type: 'timeout', class: 'TimeoutError' });
  });

  it("openai's 500 rethrown as a plain Error: server_error, no class", () => {
    const it_ = normalize(
      failedLlm({
        status: { code: 2, message: runError('Error', '500 boom') },
        events: [exceptionEvent(undefined, runError('Error', '500 boom'))],
      }),
    );
    expect(it_?.error).toMatchObject({ type: 'server_error', class: undefined });
  });

  it('an exception.type other than Error wins over the status', () => {
    const it_ = normalize(
      failedLlm({
        status: { code: 2, message: runError('TimeoutError', 'Request timed out.') },
        events: [exceptionEvent('APIConnectionTimeoutError', 'Request timed out.')],
      }),
    );
    expect(it_?.error).toMatchObject({ type: 'timeout', class: 'APIConnectionTimeoutError' });
  });
});

describe('OpenLLMetry: recognised by its scope, the generic Error dropped', () => {
  const scope = { name: '@traceloop/instrumentation-langchain', version: '0.27.0' };
  const chat = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.provider.name': 'openai',
  };

  it('a model call with GenAI keys only is an OpenLLMetry generation', () => {
    expect(normalize(span({ attributes: chat, scope }))).toMatchObject({
      source: 'openllmetry',
      kind: 'generation',
      model: 'gpt-4o-mini',
    });
    // The same keys from another scope are plain GenAI semconv.
    expect(normalize(span({ attributes: chat }))?.source).toBe('gen_ai');
  });

  it.each([
    ['Error', '500 boom', 'server_error', undefined],
    ['rate_limit_exceeded', '429 Rate limit reached', 'rate_limit', 'rate_limit_exceeded'],
    ['TimeoutError', 'Request timed out.', 'timeout', 'TimeoutError'],
  ])('exception.type %s: error_type %s, class %s', (type, message, errorType, errorClass) => {
    const it_ = normalize(
      span({
        attributes: chat,
        scope,
        status: { code: 2, message },
        events: [exceptionEvent(type, message)],
      }),
    );
    expect(it_?.error).toMatchObject({ type: errorType, class: errorClass });
  });
});
