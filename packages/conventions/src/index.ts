export * from './attributes';
export * from './events';
export type { JsonSchema, JsonSchemaType } from './tracking-plans/json-schema';
export {
  AI_AGENT_TRACKING_PLAN,
  CONVERSATION_TRACKING_PLAN,
  CUSTOMER_SIGNALS_TRACKING_PLAN,
  SEGMENT_COPILOT_TRACKING_PLAN,
  TRACKING_PLANS,
} from './tracking-plans/plans';
export type { TrackingPlan, TrackingPlanEvent } from './tracking-plans/tracking-plan';
export {
  type MessageViolation,
  type ValidateOptions,
  type ValidationResult,
  validateMessage,
} from './tracking-plans/validate-message';
export * from './values';
