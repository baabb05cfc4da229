import type { DeliveryResult, Sink } from '@spantrack/processor';
import type { AnalyticsMessage } from '@spantrack/processor/translate';
import { TimeSlice } from '../slicing/time-slice';

/**
 * Messages handed to the sink per `send` call: what a sink does synchronously in `send` (dedupe,
 * enqueue) stays a few milliseconds even for a request of 10,000 spans.
 */
export const SEND_PART = 1000;

/**
 * `sink.send(messages)` as several sends of at most `SEND_PART` messages, in order, with a yield
 * to the event loop between them when a slice is spent; one result for all of them. A send that
 * rejects (sinks should not) counts its messages failed with its error.
 */
export async function sendInParts(
  sink: Sink,
  messages: readonly AnalyticsMessage[],
  slice = new TimeSlice(),
): Promise<DeliveryResult> {
  if (messages.length <= SEND_PART) return sink.send(messages);
  const sends: Promise<DeliveryResult>[] = [];
  for (let at = 0; at < messages.length; at += SEND_PART) {
    const part = messages.slice(at, at + SEND_PART);
    sends.push(
      sink.send(part).catch((error: unknown) => {
        const reason = error instanceof Error ? error : new Error(String(error));
        return {
          delivered: 0,
          failed: part.length,
          errors: part.map((m) => ({ messageId: m.messageId, error: reason })),
        };
      }),
    );
    if (slice.spent) await slice.yield();
  }
  const total: DeliveryResult = { delivered: 0, failed: 0, errors: [] };
  for (const result of await Promise.all(sends)) {
    total.delivered += result.delivered;
    total.failed += result.failed;
    for (const e of result.errors) total.errors.push(e);
  }
  return total;
}
