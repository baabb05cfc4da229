import { describe, expect, it } from 'vitest';
import { translate } from '../../src/index';
import { classifyError, httpStatusOf } from '../../src/normalize/error-taxonomy';
import { exceptionEvent, span } from '../pipeline/span-fixture';

describe('error taxonomy', () => {
  it.each([
    // [producer class, message, HTTP status, documented error_type]
    ['APIConnectionTimeoutError', 'Request timed out.', undefined, 'timeout'],
    ['TimeoutError', 'The operation was aborted due to timeout', undefined, 'timeout'],
    ['Error', 'Request timed out', undefined, 'timeout'],
    ['AI_RetryError', 'Failed after 3 attempts. Last error: ETIMEDOUT', undefined, 'timeout'],
    ['APIConnectionError', 'Connection error.', undefined, 'network'],
    ['TypeError', 'fetch failed', undefined, 'network'],
    ['Error', 'connect ECONNREFUSED 127.0.0.1:9', undefined, 'network'],
    ['AI_JSONParseError', 'JSON parsing failed', undefined, 'json_parse_error'],
    ['SyntaxError', 'Unexpected token } in JSON at position 3', undefined, 'json_parse_error'],
    ['OutputParserException', 'Could not parse output', undefined, 'json_parse_error'],
    ['AI_NoObjectGeneratedError', 'No object generated', undefined, 'json_parse_error'],
    ['BadRequestError', "400 This model's maximum context length is 8192 tokens", 400, 'context_length'],
    ['context_length_exceeded', undefined, undefined, 'context_length'],
    ['RateLimitError', '429 Rate limit reached', 429, 'rate_limit'],
    ['InternalServerError', '500 boom', 500, 'server_error'],
    ['server_error', undefined, undefined, 'server_error'],
    ['AI_APICallError', 'Service Unavailable', 503, 'server_error'],
    ['504', undefined, undefined, 'timeout'],
  ])('%s (%s) is %s', (type, message, status, expected) => {
    expect(classifyError(type, message, httpStatusOf(undefined, type, message) ?? status)).toBe(expected);
  });

  it('leaves an unknown cause unclassified', () => {
    expect(classifyError('AI_APICallError', 'Bad Request', 400)).toBeUndefined();
    expect(classifyError('ValidationError', 'name is required', undefined)).toBeUndefined();
  });

  it('reads an HTTP status from an attribute, a three-digit error.type or the message prefix', () => {
    expect(httpStatusOf(429, undefined, undefined)).toBe(429);
    expect(httpStatusOf('503', undefined, undefined)).toBe(503);
    expect(httpStatusOf(undefined, '500', undefined)).toBe(500);
    expect(httpStatusOf(undefined, 'InternalServerError', '502 Bad gateway')).toBe(502);
    expect(httpStatusOf(undefined, 'Error', 'no status here')).toBeUndefined();
  });

  it("sends the documented error_type and keeps the producer's class as error_class", () => {
    const { messages } = translate(
      span({
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o-mini' },
        status: { code: 2, message: 'Request timed out.' },
        events: [exceptionEvent('APIConnectionTimeoutError', 'Request timed out.')],
      }),
      { catalogs: ['ai-agent'] },
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({
      event: 'ai.error',
      properties: { error_type: 'timeout', error_class: 'APIConnectionTimeoutError' },
    });
  });

  it("keeps spantrack's own error.type as written, and sends _OTHER for another producer's unknown cause", () => {
    const own = translate(
      span({ attributes: { 'spantrack.interaction.kind': 'error', 'error.type': 'tool_refused' } }),
      { catalogs: ['ai-agent'] },
    );
    expect(own.messages[0]).toMatchObject({ properties: { error_type: 'tool_refused' } });
    expect(own.messages[0]).not.toHaveProperty('properties.error_class');
    const foreign = translate(
      span({
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'm',
          'error.type': 'BadRequestError',
        },
        status: { code: 2 },
      }),
      { catalogs: ['ai-agent'] },
    );
    expect(foreign.messages[0]).toMatchObject({
      properties: { error_type: '_OTHER', error_class: 'BadRequestError' },
    });
  });
});
