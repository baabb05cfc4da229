import { ERROR_TYPE_OTHER } from '@spantrack/conventions';

/**
 * `error.type` of a failed call: the HTTP status of an Ollama error answer (the client's
 * `ResponseError` carries `status_code`), else the error's name (`TimeoutError`, `AbortError`,
 * `TypeError` for a refused connection), else `_OTHER`.
 */
export function errorTypeOf(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const status = (error as { status_code?: unknown }).status_code;
    if (typeof status === 'number') return String(status);
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') return name;
  }
  return ERROR_TYPE_OTHER;
}
