import { diag } from '@opentelemetry/api';

/**
 * Configuration and delivery problems are printed to stderr as well as `diag`: most applications
 * install no diag logger, and a silently missing event stream is the failure to avoid.
 */
export function warn(message: string): void {
  diag.warn(`spantrack: ${message}`);
  console.warn(`[spantrack] ${message}`);
}
