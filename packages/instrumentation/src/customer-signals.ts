import { type Attributes, context } from '@opentelemetry/api';
import {
  ATTR_SPANTRACK_CHANNEL,
  ATTR_SPANTRACK_ERROR_CODE,
  ATTR_SPANTRACK_OUTCOME_EVENT,
  ATTR_SPANTRACK_OUTCOME_HANDOFF_TARGET,
  ATTR_SPANTRACK_OUTCOME_PREVIOUS_SIGNAL_TYPE,
  ATTR_SPANTRACK_OUTCOME_RESOLUTION_PATH,
  ATTR_SPANTRACK_OUTCOME_TIME_TO_RESOLUTION_MS,
  ATTR_SPANTRACK_OUTCOME_TYPE,
  ATTR_SPANTRACK_REPLY_CONFIDENCE_BAND,
  ATTR_SPANTRACK_REPLY_EVENT,
  ATTR_SPANTRACK_REPLY_KB_GAP_TYPE,
  ATTR_SPANTRACK_REPLY_MODE,
  ATTR_SPANTRACK_RESULT,
  ATTR_SPANTRACK_SIGNAL_EVENT,
  ATTR_SPANTRACK_SIGNAL_SEVERITY,
  ATTR_SPANTRACK_SIGNAL_THEME_ID,
  ATTR_SPANTRACK_SIGNAL_TYPE,
  ATTR_SPANTRACK_TRIAGE_CONFIDENCE_BAND,
  ATTR_SPANTRACK_TRIAGE_ESCALATION_REASON,
  ATTR_SPANTRACK_TRIAGE_EVENT,
  ATTR_SPANTRACK_TRIAGE_RESULT,
  InteractionKind,
  OutcomeEvent,
  ReplyEvent,
  ReplyMode,
  SignalEvent,
  TriageEvent,
} from '@spantrack/conventions';
import { getContextAttributes } from './context-scope';
import { nowHrTime, readTimestamp } from './time';
import {
  agentNameOf,
  emitPointSpan,
  optionsOf,
  ownContextOf,
  type RawOptions,
  spanAttributes,
  type TrackerCore,
} from './tracker-core';
import type { OutcomeOptions, ReplyOptions, SignalOptions, TriageOptions } from './types';
import { readBoolean, readNonNegative, readOneOf, readString } from './validate';

/*
 * The customer-signals tracking plan's events. Each call is a point-in-time span whose `*.event` attribute
 * names the event; payloads carry ids and categories only, never message content.
 */

const SIGNAL_EVENTS = Object.values(SignalEvent);
const REPLY_EVENTS = Object.values(ReplyEvent);
const OUTCOME_EVENTS = Object.values(OutcomeEvent);
const REPLY_MODES = Object.values(ReplyMode);

/** Pairs of option name and attribute key for the plain string payload fields. */
type StringFields = readonly (readonly [string, string])[];

const COMMON_FIELDS: StringFields = [
  ['channelType', ATTR_SPANTRACK_CHANNEL],
  ['result', ATTR_SPANTRACK_RESULT],
  ['errorCode', ATTR_SPANTRACK_ERROR_CODE],
];
const SIGNAL_FIELDS: StringFields = [
  ['signalType', ATTR_SPANTRACK_SIGNAL_TYPE],
  ['severity', ATTR_SPANTRACK_SIGNAL_SEVERITY],
  ['themeId', ATTR_SPANTRACK_SIGNAL_THEME_ID],
];
const TRIAGE_FIELDS: StringFields = [
  ['triageResult', ATTR_SPANTRACK_TRIAGE_RESULT],
  ['confidenceBand', ATTR_SPANTRACK_TRIAGE_CONFIDENCE_BAND],
  ['escalationReason', ATTR_SPANTRACK_TRIAGE_ESCALATION_REASON],
];
const REPLY_FIELDS: StringFields = [
  ['kbGapType', ATTR_SPANTRACK_REPLY_KB_GAP_TYPE],
  ['confidenceBand', ATTR_SPANTRACK_REPLY_CONFIDENCE_BAND],
];
const OUTCOME_FIELDS: StringFields = [
  ['outcomeType', ATTR_SPANTRACK_OUTCOME_TYPE],
  ['previousSignalType', ATTR_SPANTRACK_OUTCOME_PREVIOUS_SIGNAL_TYPE],
  ['handoffTarget', ATTR_SPANTRACK_OUTCOME_HANDOFF_TARGET],
  ['resolutionPath', ATTR_SPANTRACK_OUTCOME_RESOLUTION_PATH],
];

function writeStrings(
  core: TrackerCore,
  where: string,
  opts: RawOptions,
  fields: StringFields,
  attrs: Attributes,
) {
  for (const [option, key] of fields) {
    const v = readString(core.diag, where, option, opts[option]);
    if (v !== undefined) attrs[key] = v;
  }
}

/** Attributes shared by every customer-signals span; `channelType` is that plan's name for the channel. */
function commonAttributes(
  core: TrackerCore,
  where: string,
  kind: InteractionKind,
  opts: RawOptions,
): Attributes {
  const attrs = spanAttributes(
    core,
    where,
    kind,
    agentNameOf(core, where, opts),
    getContextAttributes(context.active()),
    ownContextOf(core, where, opts),
    opts.properties,
  );
  writeStrings(core, where, opts, COMMON_FIELDS, attrs);
  return attrs;
}

function emit(core: TrackerCore, where: string, name: string, attrs: Attributes, opts: RawOptions): void {
  const time = readTimestamp(core.diag, where, opts.timestamp) ?? nowHrTime();
  emitPointSpan(core, name, attrs, context.active(), time);
}

/**
 * The event of a call: the default when absent; a value outside the document's list means the
 * call cannot be named, so it is reported and no span is written.
 */
function eventOf<T extends string>(
  core: TrackerCore,
  where: string,
  v: unknown,
  allowed: readonly T[],
  fallback: T | undefined,
): T | undefined {
  if (v === undefined) {
    if (fallback === undefined)
      core.diag.invalid(where, 'event', `required: one of ${allowed.join(', ')}`, v);
    return fallback;
  }
  return readOneOf(core.diag, where, 'event', v, allowed);
}

export function emitSignal(core: TrackerCore, options: SignalOptions): void {
  const opts = optionsOf(core, 'signal', options);
  const event = eventOf(core, 'signal', opts.event, SIGNAL_EVENTS, SignalEvent.DETECTED);
  if (event === undefined) return;
  const attrs = commonAttributes(core, 'signal', InteractionKind.SIGNAL, opts);
  attrs[ATTR_SPANTRACK_SIGNAL_EVENT] = event;
  writeStrings(core, 'signal', opts, SIGNAL_FIELDS, attrs);
  emit(core, 'signal', `customer_signal.${event}`, attrs, opts);
}

export function emitTriage(core: TrackerCore, options: TriageOptions): void {
  const opts = optionsOf(core, 'triage', options);
  const attrs = commonAttributes(core, 'triage', InteractionKind.TRIAGE, opts);
  writeStrings(core, 'triage', opts, TRIAGE_FIELDS, attrs);
  const escalated = readBoolean(core.diag, 'triage', 'escalated', opts.escalated) === true;
  const time = readTimestamp(core.diag, 'triage', opts.timestamp) ?? nowHrTime();
  const ctx = context.active();
  const completed = { ...attrs, [ATTR_SPANTRACK_TRIAGE_EVENT]: TriageEvent.COMPLETED };
  emitPointSpan(core, `ai_triage.${TriageEvent.COMPLETED}`, completed, ctx, time);
  if (escalated) {
    attrs[ATTR_SPANTRACK_TRIAGE_EVENT] = TriageEvent.ESCALATION_TRIGGERED;
    emitPointSpan(core, `ai_triage.${TriageEvent.ESCALATION_TRIGGERED}`, attrs, ctx, time);
  }
}

export function emitReply(core: TrackerCore, options: ReplyOptions): void {
  const opts = optionsOf(core, 'reply', options);
  const event = eventOf(core, 'reply', opts.event, REPLY_EVENTS, ReplyEvent.GENERATED);
  if (event === undefined) return;
  const attrs = commonAttributes(core, 'reply', InteractionKind.REPLY, opts);
  attrs[ATTR_SPANTRACK_REPLY_EVENT] = event;
  const mode = readOneOf(core.diag, 'reply', 'replyMode', opts.replyMode, REPLY_MODES);
  if (mode !== undefined) attrs[ATTR_SPANTRACK_REPLY_MODE] = mode;
  writeStrings(core, 'reply', opts, REPLY_FIELDS, attrs);
  emit(core, 'reply', `ai_reply.${event}`, attrs, opts);
}

export function emitOutcome(core: TrackerCore, options: OutcomeOptions): void {
  const opts = optionsOf(core, 'outcome', options);
  const event = eventOf(core, 'outcome', opts.event, OUTCOME_EVENTS, undefined);
  if (event === undefined) return;
  const attrs = commonAttributes(core, 'outcome', InteractionKind.OUTCOME, opts);
  attrs[ATTR_SPANTRACK_OUTCOME_EVENT] = event;
  writeStrings(core, 'outcome', opts, OUTCOME_FIELDS, attrs);
  const ttr = readNonNegative(core.diag, 'outcome', 'timeToResolutionMs', opts.timeToResolutionMs);
  if (ttr !== undefined) attrs[ATTR_SPANTRACK_OUTCOME_TIME_TO_RESOLUTION_MS] = ttr;
  emit(core, 'outcome', `interaction.outcome_${event}`, attrs, opts);
}
