/*
 * Event names and property types of the built-in tracking plans. The names and interfaces are
 * generated from tracking-plans/*.json (see src/generated/tracking-plans.ts); this module adds the
 * types derived from them.
 */
import type { CustomerSignalProperties, EventPropertiesMap } from './generated/tracking-plans';

export * from './generated/tracking-plans';

/** `context` of every event of the AI agent tracking plan. */
export interface AiAgentContext {
  channel?: string;
}

/**
 * Required on every event of the customer-signals tracking plan. `user_id` is the internal id; no
 * message content or PII ever appears in these payloads.
 */
export type CustomerSignalsRequiredProperties = Pick<
  CustomerSignalProperties,
  'org_id' | 'workspace_id' | 'user_id' | 'timestamp'
>;
/** Optional on every event of the customer-signals tracking plan. */
export type CustomerSignalsCommonProperties = Pick<
  CustomerSignalProperties,
  'channel_type' | 'app_surface' | 'result' | 'error_code'
>;

export type CatalogEventName = keyof EventPropertiesMap;

/** Names of the built-in catalogs. */
export const CatalogName = {
  AI_AGENT: 'ai-agent',
  SEGMENT_COPILOT: 'segment-copilot',
  CUSTOMER_SIGNALS: 'customer-signals',
} as const;
export type BuiltinCatalogName = (typeof CatalogName)[keyof typeof CatalogName];
