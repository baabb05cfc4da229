import {
  ATTR_SPANTRACK_INTERACTION_KIND,
  INTERACTION_KINDS,
  type InteractionKind,
  MessageRole,
} from '@spantrack/conventions';
import { DiagnosticCode } from '../../diagnostics';
import type { SpanLike } from '../../span-like';
import type { Interaction } from '../interaction';
import type { InteractionSource } from '../normalize';
import { type NormalizeContext, readSpan, UNUSABLE_SPAN } from '../read-span';

const KINDS = new Set<string>(INTERACTION_KINDS);
/** Longest unknown kind quoted in a diagnostic; a longer value is described by its length only. */
const MAX_QUOTED_KIND = 32;

/** An unknown `spantrack.interaction.kind`, for a diagnostic: short strings quoted (typos), others described. */
function describeKind(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length <= MAX_QUOTED_KIND) return JSON.stringify(value);
    return `a string of ${value.length} characters`;
  }
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return value === null ? 'null' : `a ${typeof value}`;
}
/** The span name the tracker gives an agent's message (docs/span-model.md). */
const AGENT_MESSAGE_SPAN_NAME = 'message agent';

/** Spans written by `@spantrack/instrumentation`: they carry `spantrack.interaction.kind`. */
export const spantrackSource: InteractionSource = {
  name: 'spantrack',
  recognise(span: SpanLike, ctx: NormalizeContext): Interaction | typeof UNUSABLE_SPAN | undefined {
    const kind = span.attributes[ATTR_SPANTRACK_INTERACTION_KIND];
    if (kind === undefined) return undefined;
    if (typeof kind !== 'string' || !KINDS.has(kind)) {
      // Not ours after all: another source (a GenAI LLM span, say) may still recognise it.
      ctx.diagnostics.push({
        code: DiagnosticCode.UNKNOWN_KIND,
        message: `${ATTR_SPANTRACK_INTERACTION_KIND} is ${describeKind(kind)}, not an interaction kind`,
        traceId: span.traceId,
        spanId: span.spanId,
        attribute: ATTR_SPANTRACK_INTERACTION_KIND,
      });
      return undefined;
    }
    const it = readSpan(span, kind as InteractionKind, 'spantrack', ctx);
    if (it !== UNUSABLE_SPAN && it.kind === 'message' && it.role === undefined) {
      // The tracker always writes the role; when it is missing, the span name still says who spoke.
      it.role = span.name === AGENT_MESSAGE_SPAN_NAME ? MessageRole.AGENT : MessageRole.CUSTOMER;
    }
    return it;
  },
};
