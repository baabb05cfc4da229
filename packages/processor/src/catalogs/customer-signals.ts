import {
  CatalogName,
  CustomerSignalEvent,
  OutcomeEvent,
  ReplyEvent,
  SignalEvent,
  TriageEvent,
} from '@spantrack/conventions';
import { DiagnosticCode } from '../diagnostics';
import type { AnalyticsMessage, JsonObject } from '../message';
import type { Interaction } from '../normalize/interaction';
import type { Catalog, CatalogContext } from './catalog';

const NONE: readonly AnalyticsMessage[] = [];

/** `*.event` value → full event name, per group; anything else names no documented event. */
function eventsOf(prefix: string, values: Record<string, string>): Map<string, string> {
  return new Map(Object.values(values).map((v) => [v, prefix + v]));
}
const SIGNAL_EVENTS = eventsOf('customer_signal.', SignalEvent);
const TRIAGE_EVENTS = eventsOf('ai_triage.', TriageEvent);
const REPLY_EVENTS = eventsOf('ai_reply.', ReplyEvent);
const OUTCOME_EVENTS = eventsOf('interaction.outcome_', OutcomeEvent);
const ALL_EVENTS = new Set<string>(Object.values(CustomerSignalEvent));

/**
 * The event a span names: its `*.event` attribute, else its span name when that is a documented
 * event (the tracker names the span after the event).
 */
function resolveEvent(
  it: Interaction,
  value: string | undefined,
  events: Map<string, string>,
  attribute: string,
  ctx: CatalogContext,
): string | undefined {
  if (value !== undefined) {
    const event = events.get(value);
    if (event === undefined) {
      ctx.report(
        it,
        DiagnosticCode.UNKNOWN_EVENT,
        `${attribute} is ${JSON.stringify(value)}: no such customer-signals event`,
      );
    }
    return event;
  }
  if (ALL_EVENTS.has(it.spanName)) {
    for (const event of events.values()) if (event === it.spanName) return event;
  }
  ctx.report(it, DiagnosticCode.MISSING_REQUIRED, `no ${attribute}: no customer-signals event to send`);
  return undefined;
}

function set(p: JsonObject, key: string, value: string | number | undefined): void {
  if (value !== undefined) p[key] = value;
}

/**
 * The customer-signals tracking plan, "Analytics Events (MVP)": `customer_signal.*`, `ai_triage.*`, `ai_reply.*`,
 * `interaction.outcome_*`. Every event carries the required `org_id`, `workspace_id`, `user_id`
 * (internal, pseudonymised when the policy says) and `timestamp`; an event missing one is not sent.
 * Never any message content, whatever the capture setting.
 */
export const customerSignalsCatalog: Catalog = {
  name: CatalogName.CUSTOMER_SIGNALS,
  map(it: Interaction, ctx: CatalogContext): readonly AnalyticsMessage[] {
    let event: string | undefined;
    switch (it.kind) {
      case 'signal':
        event = resolveEvent(it, it.signalEvent, SIGNAL_EVENTS, 'spantrack.signal.event', ctx);
        break;
      case 'triage':
        event = resolveEvent(it, it.triageEvent, TRIAGE_EVENTS, 'spantrack.triage.event', ctx);
        break;
      case 'reply':
        event = resolveEvent(it, it.replyEvent, REPLY_EVENTS, 'spantrack.reply.event', ctx);
        break;
      case 'outcome':
        event = resolveEvent(it, it.outcomeEvent, OUTCOME_EVENTS, 'spantrack.outcome.event', ctx);
        break;
      default:
        return NONE;
    }
    if (event === undefined) return NONE;

    const userId = ctx.userId(it);
    const missing: string[] = [];
    if (it.orgId === undefined) missing.push('org_id (spantrack.org.id)');
    if (it.workspaceId === undefined) missing.push('workspace_id (spantrack.workspace.id)');
    if (userId === undefined) missing.push('user_id (user.id)');
    if (missing.length > 0) {
      ctx.report(
        it,
        DiagnosticCode.MISSING_REQUIRED,
        `${event} not sent: missing ${missing.join(', ')}`,
        event,
      );
      return NONE;
    }

    const p: JsonObject = {
      org_id: it.orgId!,
      workspace_id: it.workspaceId!,
      user_id: userId!,
      timestamp: it.timestamp,
    };
    set(p, 'channel_type', it.channel);
    set(p, 'app_surface', it.appSurface);
    set(p, 'result', it.result);
    set(p, 'error_code', it.errorCode);
    switch (it.kind) {
      case 'signal':
        set(p, 'signal_type', it.signalType);
        set(p, 'severity', it.severity);
        set(p, 'theme_id', it.themeId);
        break;
      case 'triage':
        set(p, 'triage_result', it.triageResult);
        set(p, 'confidence_band', it.confidenceBand);
        set(p, 'escalation_reason', it.escalationReason);
        break;
      case 'reply':
        set(p, 'reply_mode', it.replyMode);
        set(p, 'kb_gap_type', it.kbGapType);
        set(p, 'confidence_band', it.confidenceBand);
        break;
      case 'outcome':
        set(p, 'outcome_type', it.outcomeType);
        set(p, 'previous_signal_type', it.previousSignalType);
        set(p, 'time_to_resolution_ms', it.timeToResolutionMs);
        set(p, 'handoff_target', it.handoffTarget);
        set(p, 'resolution_path', it.resolutionPath);
        break;
    }
    return [ctx.track(it, event, p)];
  },
};
