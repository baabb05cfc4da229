import { ERROR_TYPE_OTHER } from '@spantrack/conventions';

/**
 * `error.type` of a failed call: the HTTP status of an API error (`status` on the client's
 * `APIError`), else the error's class name (`APIConnectionError`, `APIConnectionTimeoutError`,
 * `APIUserAbortError`), else `_OTHER`.
 */
export function errorTypeOf(error: unknown): string {
  if (error !== null && typeof error === 'object') {
    const status = (error as { status?: unknown }).status;
    if (typeof status === 'number') return String(status);
    const name = (error as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === 'string' && name !== '' && name !== 'Object') return name;
  }
  return ERROR_TYPE_OTHER;
}
