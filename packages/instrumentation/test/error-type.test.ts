import { describe, expect, it } from 'vitest';
import { errorTypeOf } from '../src/index';

class RateLimitError extends Error {}

describe('errorTypeOf', () => {
  it.each([
    [
      'JSON.parse failure',
      (() => {
        try {
          JSON.parse('{');
        } catch (e) {
          return e;
        }
      })(),
      'json_parse_error',
    ],
    ['AbortError', Object.assign(new Error('aborted'), { name: 'AbortError' }), 'timeout'],
    ['DOMException TimeoutError', new DOMException('signal timed out', 'TimeoutError'), 'timeout'],
    ['ETIMEDOUT', Object.assign(new Error('x'), { code: 'ETIMEDOUT' }), 'timeout'],
    ['ECONNREFUSED', Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), 'network'],
    ['ECONNRESET', Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'network'],
    ['ENOTFOUND', Object.assign(new Error('x'), { code: 'ENOTFOUND' }), 'network'],
    ['fetch failed', new TypeError('fetch failed'), 'network'],
    [
      'wrapped cause',
      new Error('request failed', { cause: Object.assign(new Error('x'), { code: 'ECONNRESET' }) }),
      'network',
    ],
    [
      'context length code',
      Object.assign(new Error('too long'), { code: 'context_length_exceeded' }),
      'context_length',
    ],
    [
      'context length message',
      new Error("This model's maximum context length is 4096 tokens"),
      'context_length',
    ],
    ['custom class', new RateLimitError('slow down'), 'RateLimitError'],
    ['TypeError', new TypeError('x is not a function'), 'TypeError'],
    ['plain Error', new Error('x'), 'Error'],
    ['a string', 'oops', '_OTHER'],
    ['undefined', undefined, '_OTHER'],
  ])('%s', (_, err, expected) => {
    expect(errorTypeOf(err)).toBe(expected);
  });
});
