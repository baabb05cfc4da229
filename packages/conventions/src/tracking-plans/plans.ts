import aiAgentJson from '../../tracking-plans/ai-agent.json';
import conversationJson from '../../tracking-plans/conversation.json';
import customerSignalsJson from '../../tracking-plans/customer-signals.json';
import segmentCopilotJson from '../../tracking-plans/segment-copilot.json';
import type { TrackingPlan } from './tracking-plan';

// The JSON files are the source of truth (their inferred types are too wide for TrackingPlan, hence
// the casts); the bundler inlines them, and the package also ships
// them as `@spantrack/conventions/tracking-plans/<name>.json` for other tools.

/** The AI agent tracking plan: `ai.classification`, `ai.generation`, `ai.error`. */
export const AI_AGENT_TRACKING_PLAN = aiAgentJson as unknown as TrackingPlan;
/** Segment's AI Copilot spec: the conversation events and identify. */
export const SEGMENT_COPILOT_TRACKING_PLAN = segmentCopilotJson as unknown as TrackingPlan;
/** The customer-signals tracking plan: `customer_signal.*`, `ai_triage.*`, `ai_reply.*`, `interaction.outcome_*`. */
export const CUSTOMER_SIGNALS_TRACKING_PLAN = customerSignalsJson as unknown as TrackingPlan;
/** The conversation tracking plan: the Copilot events the conversations view and its metrics use. */
export const CONVERSATION_TRACKING_PLAN = conversationJson as unknown as TrackingPlan;

/** Every built-in tracking plan: what `validateMessage` checks against by default. */
export const TRACKING_PLANS: readonly TrackingPlan[] = [
  AI_AGENT_TRACKING_PLAN,
  SEGMENT_COPILOT_TRACKING_PLAN,
  CUSTOMER_SIGNALS_TRACKING_PLAN,
  CONVERSATION_TRACKING_PLAN,
];
