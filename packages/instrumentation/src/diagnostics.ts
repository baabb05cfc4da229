import { diag } from '@opentelemetry/api';
import { PACKAGE_NAME } from './version';

/**
 * Reports bad input through OpenTelemetry's `diag` logger, once per distinct problem, so that an
 * agent calling the API in a loop with the same mistake does not flood its logs.
 */
export class Diagnostics {
  private readonly _seen = new Set<string>();

  /** `where` is the API call, `option` the offending option, `why` what was expected. */
  invalid(where: string, option: string, why: string, value?: unknown): void {
    const code = `${where}.${option}:${why}`;
    if (this._seen.has(code)) return;
    this._seen.add(code);
    diag.warn(`${PACKAGE_NAME}: ${where}: dropped "${option}": ${why}, got ${describe(value)}`);
  }

  /** A problem that is not about one option (a second `end()`, a failing flush...). */
  problem(where: string, what: string, detail?: string): void {
    const code = `${where}:${what}`;
    if (this._seen.has(code)) return;
    this._seen.add(code);
    diag.warn(`${PACKAGE_NAME}: ${where}: ${what}${detail === undefined ? '' : `: ${detail}`}`);
  }
}

/** Describes a rejected value without echoing strings, which may be message content or PII. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'number':
    case 'boolean':
    case 'bigint':
      return `${typeof value} ${String(value)}`;
    case 'string':
      return value.length === 0 ? 'an empty string' : 'a string';
    case 'undefined':
      return 'undefined';
    default:
      return `a ${typeof value}`;
  }
}

/** Used by the module-level helpers (`withContext`) that have no tracker of their own. */
export const moduleDiagnostics = new Diagnostics();
