import type { AnalyticsMessage } from '../message';
import type { DeliveryResult, Sink } from './sink';

/** Running totals of one sink behind a fan-out. */
export interface FanOutSinkStats {
  name: string;
  delivered: number;
  failed: number;
  /** Batches handed over and not yet settled. */
  pending: number;
}

/** One named destination of a fan-out. */
export interface NamedSink {
  name: string;
  sink: Sink;
}

export interface FanOutSinkOptions {
  /** The destination whose result `send` reports: what the caller acknowledges on. */
  primary: NamedSink;
  /** Best-effort destinations: each gets every batch; their failures are counted, never returned. */
  secondary: readonly NamedSink[];
  /** Called with each secondary's result for every batch (failures included). @default none */
  onSecondaryResult?: (name: string, result: DeliveryResult) => void;
}

/**
 * Delivers each batch to several sinks at once (e.g. Segment and the local event store). `send`
 * resolves with the primary sink's result as soon as the primary settles; the secondary sinks
 * receive the same batch concurrently and are never waited for, so a slow or failing one neither
 * delays nor fails the primary's delivery. Their results are counted in `stats()`.
 */
export class FanOutSink implements Sink {
  private readonly primary: NamedSink;
  private readonly secondary: readonly NamedSink[];
  private readonly totals: Map<string, FanOutSinkStats>;
  private readonly onSecondaryResult: FanOutSinkOptions['onSecondaryResult'];

  constructor(options: FanOutSinkOptions) {
    this.primary = options.primary;
    this.secondary = options.secondary;
    this.onSecondaryResult = options.onSecondaryResult;
    this.totals = new Map(
      [options.primary, ...options.secondary].map(({ name }) => [
        name,
        { name, delivered: 0, failed: 0, pending: 0 },
      ]),
    );
    if (this.totals.size !== options.secondary.length + 1) {
      throw new TypeError('FanOutSink: sink names must be distinct');
    }
  }

  /** Resolves with the primary's result; never rejects (a sink that throws counts as failing the batch). */
  send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    for (const target of this.secondary) {
      this.deliver(target, messages).then((result) => {
        try {
          this.onSecondaryResult?.(target.name, result);
        } catch {
          // The callback's failure is the caller's; delivery goes on.
        }
      });
    }
    return this.deliver(this.primary, messages);
  }

  /** Delivers to every sink and resolves with each one's result, by name (for callers that need them all). */
  async sendAll(messages: readonly AnalyticsMessage[]): Promise<Map<string, DeliveryResult>> {
    const targets = [this.primary, ...this.secondary];
    const results = await Promise.all(targets.map((t) => this.deliver(t, messages)));
    return new Map(targets.map((t, i) => [t.name, results[i]!]));
  }

  /** Totals per sink, primary first. */
  stats(): FanOutSinkStats[] {
    return [...this.totals.values()].map((s) => ({ ...s }));
  }

  /** Flushes every sink side by side; one failing flush does not stop the others. */
  async flush(timeoutMs?: number): Promise<void> {
    await this.everySink((sink) => sink.flush(timeoutMs));
  }

  /** Shuts every sink down side by side; one failing shutdown does not stop the others. */
  async shutdown(timeoutMs?: number): Promise<void> {
    await this.everySink((sink) => sink.shutdown(timeoutMs));
  }

  private async everySink(work: (sink: Sink) => Promise<void>): Promise<void> {
    const outcomes = await Promise.allSettled([this.primary, ...this.secondary].map((t) => work(t.sink)));
    const primaryOutcome = outcomes[0]!;
    if (primaryOutcome.status === 'rejected') throw primaryOutcome.reason;
  }

  private async deliver(target: NamedSink, messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    const totals = this.totals.get(target.name)!;
    totals.pending += 1;
    let result: DeliveryResult;
    try {
      result = await target.sink.send(messages);
    } catch (error) {
      // The Sink contract says send never rejects; one that does fails its batch, not the fan-out.
      const reason = error instanceof Error ? error : new Error(String(error));
      result = {
        delivered: 0,
        failed: messages.length,
        errors: messages.map((m) => ({ messageId: String(m?.messageId ?? ''), error: reason })),
      };
    }
    totals.pending -= 1;
    totals.delivered += result.delivered;
    totals.failed += result.failed;
    return result;
  }
}
