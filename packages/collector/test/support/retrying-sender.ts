import { post } from './post';

/** What the sender saw, per attempt: an HTTP status, or `network` when no answer came. */
export type Seen = number | 'network';

/**
 * A sender that never gives up on a request, like the OpenTelemetry Collector's persistent
 * `sending_queue`: retries 429 / 502 / 503 / 504 after `Retry-After` and network failures after a
 * short backoff; anything else is final. Sends `bodies` with `concurrency` requests in flight.
 */
export async function sendAll(
  url: () => string,
  bodies: Buffer[],
  options: { concurrency: number; headers?: Record<string, string>; deadlineMs: number; onAck?: () => void },
): Promise<{ seen: Seen[]; final: number[] }> {
  const seen: Seen[] = [];
  const final: number[] = [];
  const deadline = Date.now() + options.deadlineMs;
  let next = 0;
  async function worker(): Promise<void> {
    while (next < bodies.length) {
      const body = bodies[next++]!;
      for (;;) {
        if (Date.now() > deadline) throw new Error('sender deadline passed');
        let status: Seen;
        let retryAfterMs = 200;
        try {
          const res = await post(url(), body, {
            'content-type': 'application/x-protobuf',
            ...options.headers,
          });
          status = res.status;
          const header = res.headers['retry-after'];
          if (typeof header === 'string') retryAfterMs = Number(header) * 1000;
        } catch {
          status = 'network';
        }
        seen.push(status);
        if (status === 'network' || [429, 502, 503, 504].includes(status)) {
          await new Promise((r) => setTimeout(r, retryAfterMs));
          continue;
        }
        final.push(status);
        options.onAck?.();
        break;
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return { seen, final };
}

export const RETRYABLE: readonly Seen[] = [429, 502, 503, 504, 'network'];
