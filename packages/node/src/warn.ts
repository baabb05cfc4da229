import { diag } from '@opentelemetry/api';
import type { LogLevel } from './types';

/** spantrack's own lines on stderr, prefixed `[spantrack]`, filtered by the resolved `logLevel`. */
export interface Logger {
  readonly level: LogLevel;
  /** The startup and exit lines: printed at `info` only. */
  info(message: string): void;
  /** A problem: always to `diag`, to stderr unless the level is `none`. */
  warn(message: string): void;
}

/**
 * Configuration and delivery problems are printed to stderr as well as `diag`: most applications
 * install no diag logger, and a silently missing event stream is the failure to avoid.
 */
export function createLogger(level: LogLevel): Logger {
  return {
    level,
    info: (message) => {
      if (level === 'info') process.stderr.write(`[spantrack] ${message}\n`);
    },
    warn: (message) => {
      diag.warn(`spantrack: ${message}`);
      if (level !== 'none') console.warn(`[spantrack] ${message}`);
    },
  };
}

/** Warnings at the default level, for code that runs before a configuration is resolved. */
export const warn = (message: string): void => createLogger('warn').warn(message);
