import type { Counter, Histogram, Meter } from '@opentelemetry/api';
import { AiErrorType, Channel, CustomerSignalEvent } from '@spantrack/conventions';
import { SpantrackConfigError } from '../config-error';
import type { AnalyticsMessage, JsonObject } from '../message';
import type { DeliveryResult, Sink } from '../sinks/sink';
import { BoundedLabel } from './bounded-label';
import { CounterTally } from './counter-tally';

export interface MetricsSinkOptions {
  /** The meter to record on (`provider.getMeter('my-app')`, or the global `metrics.getMeter(...)`). Required. */
  meter: Meter;
  /** Distinct intents kept as label values; the rest are `other`. @default 50 */
  maxIntents?: number;
  /** Distinct channels kept beyond the five known ones; the rest are `other`. @default 10 */
  maxChannels?: number;
}

/** Default of {@link MetricsSinkOptions.maxIntents}. */
export const DEFAULT_MAX_INTENTS = 50;
/** Default of {@link MetricsSinkOptions.maxChannels}. */
export const DEFAULT_MAX_CHANNELS = 10;

const AI_EVENTS: Record<string, string> = {
  'ai.classification': 'classification',
  'ai.generation': 'generation',
  'ai.error': 'error',
};
const KNOWN_SIGNAL_EVENTS = new Set<string>(Object.values(CustomerSignalEvent));
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * A sink that records the dashboards' figures as OpenTelemetry metrics, then hands the messages to
 * the sink it wraps (whose result it returns). Counts what the pipeline produced, per message:
 * AI requests, classifications by intent, errors by type, latency and confidence histograms,
 * conversations started, customer and AI messages, cost, customer-signal events. Ratios (error
 * rate, response rate) are left to the backend's queries over these counters; response time needs
 * message pairs and is the SQL's.
 */
export class MetricsSink implements Sink {
  private readonly requests: Counter;
  private readonly classifications: Counter;
  private readonly errors: Counter;
  private readonly latency: Histogram;
  private readonly confidence: Histogram;
  private readonly conversations: Counter;
  private readonly messages: Counter;
  private readonly cost: Counter;
  private readonly signals: Counter;
  private readonly intents: BoundedLabel;
  private readonly channels: BoundedLabel;
  private readonly errorTypes: BoundedLabel;

  constructor(
    private readonly inner: Sink,
    options: MetricsSinkOptions,
  ) {
    const m = requireMeter(options);
    const maxIntents = count(options.maxIntents, 'maxIntents') ?? DEFAULT_MAX_INTENTS;
    const maxChannels = count(options.maxChannels, 'maxChannels') ?? DEFAULT_MAX_CHANNELS;
    this.requests = m.createCounter('spantrack.ai.requests', {
      description: 'AI requests (classifications, generations, errors)',
    });
    this.classifications = m.createCounter('spantrack.ai.classifications', {
      description: 'Intent classifications',
    });
    this.errors = m.createCounter('spantrack.ai.errors', { description: 'AI requests that failed' });
    this.latency = m.createHistogram('spantrack.ai.latency', {
      description: 'Inference latency of classifications and generations',
      unit: 'ms',
      advice: { explicitBucketBoundaries: [100, 250, 500, 1000, 2000, 5000, 10000] },
    });
    this.confidence = m.createHistogram('spantrack.ai.confidence', {
      description: 'Classification confidence (0..1)',
      advice: { explicitBucketBoundaries: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] },
    });
    this.conversations = m.createCounter('spantrack.conversations.started', {
      description: 'Conversations started',
    });
    this.messages = m.createCounter('spantrack.conversation.messages', {
      description: 'Customer messages and AI responses',
    });
    this.cost = m.createCounter('spantrack.ai.cost', { description: 'Cost reported on events', unit: 'USD' });
    this.signals = m.createCounter('spantrack.customer_signals.events', {
      description: 'Customer-signal events by name',
    });
    this.intents = new BoundedLabel(maxIntents);
    const known = Object.values(Channel) as string[];
    this.channels = new BoundedLabel(known.length + maxChannels, known);
    const errorTypes = Object.values(AiErrorType) as string[];
    this.errorTypes = new BoundedLabel(errorTypes.length, errorTypes);
  }

  send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    const tally = new CounterTally();
    for (const message of messages) {
      try {
        this.record(message, tally);
      } catch {
        // A malformed message is the inner sink's to refuse; metrics never stop delivery.
      }
    }
    try {
      tally.flush();
    } catch {
      // A meter that throws loses these figures, never the messages.
    }
    return this.inner.send(messages);
  }

  flush(timeoutMs?: number): Promise<void> {
    return this.inner.flush(timeoutMs);
  }

  shutdown(timeoutMs?: number): Promise<void> {
    return this.inner.shutdown(timeoutMs);
  }

  private record(message: AnalyticsMessage, tally: CounterTally) {
    if (message.type !== 'track') return;
    const p: JsonObject = message.properties ?? {};
    const channel = this.channels.value(message.context?.channel ?? p.channel_type);
    const cost = num(p.cost_usd);
    if (cost !== undefined && cost >= 0) tally.add(this.cost, cost, channel, { channel });
    const ai = AI_EVENTS[message.event];
    if (ai !== undefined) {
      tally.add(this.requests, 1, `${ai}\u0000${channel}`, { event: ai, channel });
      const latency = num(p.latency_ms);
      if (latency !== undefined && latency >= 0) this.latency.record(latency, { event: ai, channel });
      if (ai === 'classification') {
        const intent = this.intents.value(p.detected_intent);
        tally.add(this.classifications, 1, `${intent}\u0000${channel}`, { intent, channel });
        const confidence = num(p.confidence);
        if (confidence !== undefined) this.confidence.record(confidence, { channel });
      } else if (ai === 'error') {
        const errorType = this.errorTypes.value(p.error_type);
        tally.add(this.errors, 1, `${errorType}\u0000${channel}`, { error_type: errorType, channel });
      }
      return;
    }
    switch (message.event) {
      case 'Conversation Started':
        tally.add(this.conversations, 1, channel, { channel });
        return;
      case 'Message Sent':
        tally.add(this.messages, 1, `customer\u0000${channel}`, { direction: 'customer', channel });
        return;
      case 'Message Received':
        tally.add(this.messages, 1, `agent\u0000${channel}`, { direction: 'agent', channel });
        return;
      default:
        if (/^(customer_signal|ai_triage|ai_reply|interaction)\./.test(message.event)) {
          // Event names are the plan's fixed set; an unknown one folds into `other` with the rest.
          const event = KNOWN_SIGNAL_EVENTS.has(message.event) ? message.event : 'other';
          tally.add(this.signals, 1, event, { event });
        }
    }
  }
}

function requireMeter(options: MetricsSinkOptions): Meter {
  const meter = (options as Partial<MetricsSinkOptions> | null | undefined)?.meter;
  if (typeof meter?.createCounter !== 'function' || typeof meter.createHistogram !== 'function') {
    throw new SpantrackConfigError('meter', 'is required: an OpenTelemetry Meter (provider.getMeter(name))');
  }
  return meter;
}

/** A label cap: a whole number, 0 or more; undefined when unset. */
function count(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new SpantrackConfigError(name, `must be a whole number, 0 or more, got ${String(value)}`);
  }
  return value;
}
