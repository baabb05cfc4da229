import type { AnalyticsMessage, JsonObject } from '../message';
import { type SegmentLibrary, withLibrary } from './library';
import type { DeliveryResult } from './sink';
import { InvalidMessageError } from './sink-errors';

/**
 * The `messageId` of a message for an error report, whatever the message is (a sink may be handed
 * anything by code other than the translator).
 */
export function messageIdOf(message: unknown): string {
  try {
    const id = (message as { messageId?: unknown } | null)?.messageId;
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}

/**
 * One message as JSON, or the error that makes it unsendable (a BigInt, a cycle, a throwing
 * `toJSON` or getter...). Sinks serialize message by message with this, so one bad message fails
 * alone and never takes its batch with it. With `library`, its `context.library` names it.
 */
export function serializeMessage(
  message: AnalyticsMessage,
  space?: number,
  library?: SegmentLibrary,
): string | InvalidMessageError {
  let json: unknown;
  try {
    json = JSON.stringify(library === undefined ? message : labelled(message, library), null, space);
  } catch (error) {
    return new InvalidMessageError(
      messageIdOf(message),
      `not serializable as JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (typeof json !== 'string' || json[0] !== '{') {
    return new InvalidMessageError(messageIdOf(message), 'not a JSON object');
  }
  return json;
}

/** The message with `context.library` set; as it is when its context is not an object. */
function labelled(message: AnalyticsMessage, library: SegmentLibrary): AnalyticsMessage {
  const context = (message as { context?: unknown }).context;
  if (context !== undefined && (context === null || typeof context !== 'object' || Array.isArray(context))) {
    return message;
  }
  return { ...message, context: withLibrary(context as JsonObject | undefined, library) };
}

/** A result that fails every message with `error`. */
export function failAll(messages: readonly AnalyticsMessage[], error: Error): DeliveryResult {
  return {
    delivered: 0,
    failed: messages.length,
    errors: messages.map((m) => ({ messageId: messageIdOf(m), error })),
  };
}

/** Messages as JSON lines, for the line-oriented sinks: the text, the messages in it, and a result
 * already counting the messages that could not be serialized. */
export interface JsonLines {
  text: string;
  written: AnalyticsMessage[];
  result: DeliveryResult;
}

export function toJsonLines(
  messages: readonly AnalyticsMessage[],
  space?: number,
  library?: SegmentLibrary,
): JsonLines {
  const lines: JsonLines = { text: '', written: [], result: { delivered: 0, failed: 0, errors: [] } };
  for (const message of messages) {
    const json = serializeMessage(message, space, library);
    if (typeof json === 'string') {
      lines.text += `${json}\n`;
      lines.written.push(message);
    } else {
      lines.result.failed++;
      lines.result.errors.push({ messageId: json.messageId, error: json });
    }
  }
  return lines;
}

/** Counts a failed write of `written` into `result`. */
export function failWrite(
  result: DeliveryResult,
  written: readonly AnalyticsMessage[],
  error: unknown,
): DeliveryResult {
  const failed = failAll(written, error instanceof Error ? error : new Error(String(error)));
  result.failed += failed.failed;
  result.errors.push(...failed.errors);
  return result;
}
