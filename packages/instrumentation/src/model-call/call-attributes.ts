import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
} from '@spantrack/conventions';

// Server keys of the stable semantic conventions; copied, as their README asks of libraries.
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';

/** `server.address` / `server.port` of a client's base URL; nothing when it does not parse. */
export function serverAttributes(baseURL: string | undefined): Attributes {
  if (typeof baseURL !== 'string' || baseURL === '') return {};
  try {
    const url = new URL(baseURL);
    const port = url.port !== '' ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return { [ATTR_SERVER_ADDRESS]: url.hostname.replace(/^\[|\]$/g, ''), [ATTR_SERVER_PORT]: port };
  } catch {
    return {};
  }
}

/**
 * Attributes known before a model call, shared by its span and both metrics: operation, provider,
 * server, and the request model when it is a string.
 */
export function commonCallAttributes(
  operation: string,
  provider: string,
  model: unknown,
  baseURL: string | undefined,
): Attributes {
  const attrs: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: provider,
    ...serverAttributes(baseURL),
  };
  if (typeof model === 'string') attrs[ATTR_GEN_AI_REQUEST_MODEL] = model;
  return attrs;
}
