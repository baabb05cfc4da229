import { AiErrorType } from '@spantrack/conventions';

/**
 * `error_type` values beyond the four of the AI agent tracking plan, for causes it does not name
 * (documented additions, docs/sources.md): the provider refused for rate (HTTP 429) or failed (5xx).
 */
export const ExtraErrorType = {
  RATE_LIMIT: 'rate_limit',
  SERVER_ERROR: 'server_error',
} as const;

// Class names and messages producers use, by cause. Checked in this order: a connection timeout is
// a timeout before it is a connection failure; a 400 about the context is a context error.
const CONTEXT_LENGTH =
  /context[_ ]?(length|window)|maximum context|too many tokens|prompt is too long|input is too long|max_?tokens.*exceed/i;
const TIMEOUT = /timed?[ _-]?out|ETIMEDOUT|deadline exceeded|ESOCKETTIMEDOUT|UND_ERR_.*TIMEOUT/i;
const JSON_PARSE =
  /json ?parse|jsonparse|invalid json|not valid json|unexpected token.*json|json.*unexpected|unterminated string in json|OutputParser|NoObjectGenerated/i;
const NETWORK =
  /APIConnectionError|ConnectionError|ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|EPIPE|EHOSTUNREACH|ENETUNREACH|socket hang up|fetch failed|FetchError|network|UND_ERR_SOCKET/i;
const RATE_LIMIT = /RateLimit|rate[_ ]limit|too many requests|insufficient_quota/i;
const SERVER =
  /InternalServerError|internal server error|server_error|ServiceUnavailable|service unavailable|BadGateway|bad gateway|overloaded/i;
/** A leading HTTP status in a message, as the openai client writes it (`429 Rate limit reached`). */
const LEADING_STATUS = /^([1-5]\d\d)\b/;
const STATUS_ONLY = /^[1-5]\d\d$/;

/** Whether an `error.type` is a bare HTTP status (`500`), which names no class. */
export const isHttpStatus = (value: string): boolean => STATUS_ONLY.test(value);

/** The HTTP status a failure carries, when it says: an attribute, an `error.type` of three digits, or a message prefix. */
export function httpStatusOf(
  statusAttribute: unknown,
  rawType: string | undefined,
  message: string | undefined,
): number | undefined {
  if (typeof statusAttribute === 'number' && Number.isInteger(statusAttribute)) return statusAttribute;
  if (typeof statusAttribute === 'string' && STATUS_ONLY.test(statusAttribute))
    return Number(statusAttribute);
  if (rawType !== undefined && STATUS_ONLY.test(rawType)) return Number(rawType);
  const m = message === undefined ? null : LEADING_STATUS.exec(message);
  return m === null ? undefined : Number(m[1]);
}

/**
 * The documented `error_type` for a failure whose cause is known from its class name, message or
 * HTTP status; undefined when the cause is not recognisable.
 */
export function classifyError(
  rawType: string | undefined,
  message: string | undefined,
  httpStatus: number | undefined,
): string | undefined {
  const t = rawType ?? '';
  const m = message ?? '';
  if (t === AiErrorType.TIMEOUT || t === AiErrorType.JSON_PARSE_ERROR) return t;
  if (t === AiErrorType.NETWORK || t === AiErrorType.CONTEXT_LENGTH) return t;
  if (t === ExtraErrorType.RATE_LIMIT) return t;
  if (CONTEXT_LENGTH.test(t) || CONTEXT_LENGTH.test(m)) return AiErrorType.CONTEXT_LENGTH;
  if (httpStatus === 408 || httpStatus === 504 || TIMEOUT.test(t)) return AiErrorType.TIMEOUT;
  if (httpStatus === 429 || RATE_LIMIT.test(t)) return ExtraErrorType.RATE_LIMIT;
  if ((httpStatus !== undefined && httpStatus >= 500) || SERVER.test(t)) return ExtraErrorType.SERVER_ERROR;
  if (JSON_PARSE.test(t) || (t === 'SyntaxError' && /json/i.test(m))) return AiErrorType.JSON_PARSE_ERROR;
  if (NETWORK.test(t)) return AiErrorType.NETWORK;
  // The class said nothing (a generic Error, AI_APICallError, AI_RetryError): the message may.
  if (TIMEOUT.test(m)) return AiErrorType.TIMEOUT;
  if (RATE_LIMIT.test(m)) return ExtraErrorType.RATE_LIMIT;
  if (SERVER.test(m)) return ExtraErrorType.SERVER_ERROR;
  if (JSON_PARSE.test(m)) return AiErrorType.JSON_PARSE_ERROR;
  if (NETWORK.test(m)) return AiErrorType.NETWORK;
  return undefined;
}
