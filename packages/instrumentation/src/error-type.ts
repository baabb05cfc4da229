import { AiErrorType, ERROR_TYPE_OTHER } from '@spantrack/conventions';

/*
 * `error.type` of a thrown value: one of the four types of the AI agent tracking plan when the error is recognisable
 * (so dashboards group timeouts from every client together), else the error's class name.
 */

const TIMEOUT_NAMES = new Set(['AbortError', 'TimeoutError', 'APIConnectionTimeoutError']);
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'ABORT_ERR',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ERR_OPERATION_TIMEOUT',
]);
const NETWORK_NAMES = new Set(['APIConnectionError', 'FetchError']);
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
]);
const CONTEXT_LENGTH_CODES = new Set(['context_length_exceeded', 'string_above_max_length']);
const CONTEXT_LENGTH_MESSAGE = /context[ _]length|maximum context|context window|too many tokens/i;

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  cause?: unknown;
}

function known(err: ErrorLike, depth: number): string | undefined {
  const name = className(err);
  const code = typeof err.code === 'string' ? err.code : undefined;
  const message = typeof err.message === 'string' ? err.message : '';
  // JSON.parse is what throws SyntaxError at run time; code is parsed before the agent runs.
  if (name === 'SyntaxError') return AiErrorType.JSON_PARSE_ERROR;
  if ((name !== undefined && TIMEOUT_NAMES.has(name)) || (code !== undefined && TIMEOUT_CODES.has(code))) {
    return AiErrorType.TIMEOUT;
  }
  if (
    (name !== undefined && NETWORK_NAMES.has(name)) ||
    (code !== undefined && NETWORK_CODES.has(code)) ||
    (name === 'TypeError' && message === 'fetch failed')
  ) {
    return AiErrorType.NETWORK;
  }
  if ((code !== undefined && CONTEXT_LENGTH_CODES.has(code)) || CONTEXT_LENGTH_MESSAGE.test(message)) {
    return AiErrorType.CONTEXT_LENGTH;
  }
  // Wrapped errors (fetch's TypeError, SDK errors) keep the real cause one or two levels down.
  if (depth < 3 && err.cause !== null && typeof err.cause === 'object') {
    return known(err.cause as ErrorLike, depth + 1);
  }
  return undefined;
}

/** The class name of an error: its `name` unless that is the generic "Error", then its constructor's. */
function className(err: ErrorLike): string | undefined {
  const name = typeof err.name === 'string' && err.name.length > 0 ? err.name : undefined;
  if (name !== undefined && name !== 'Error') return name;
  const ctor = (err as { constructor?: { name?: unknown } }).constructor?.name;
  if (typeof ctor === 'string' && ctor.length > 0 && ctor !== 'Object') return ctor;
  return name;
}

/** `error.type` for any thrown value; `_OTHER` when nothing better is known. */
export function errorTypeOf(err: unknown): string {
  if (err === null || typeof err !== 'object') return ERROR_TYPE_OTHER;
  return known(err as ErrorLike, 0) ?? className(err as ErrorLike) ?? ERROR_TYPE_OTHER;
}

/** The status message for a thrown value. */
export function errorMessageOf(err: unknown): string {
  if (err !== null && typeof err === 'object') {
    const message = (err as ErrorLike).message;
    if (typeof message === 'string') return message;
  }
  return typeof err === 'string' ? err : String(err);
}
