import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { AgentTracker, ContextAttributesSpanProcessor } from '@spantrack/instrumentation';
import {
  AnalyticsSpanProcessor,
  type AnalyticsSpanProcessorOptions,
  MemorySink,
  type TrackMessage,
} from '@spantrack/processor';
import { afterAll, beforeAll } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from './fake-openai-server';

/** A tracer provider as a user sets it up: scope context copied onto spans, analytics in memory. */
export class Pipeline {
  readonly sink = new MemorySink();
  readonly processor: AnalyticsSpanProcessor;
  readonly provider: BasicTracerProvider;
  readonly tracker: AgentTracker;

  constructor(options: Omit<AnalyticsSpanProcessorOptions, 'sink'> = {}) {
    this.processor = new AnalyticsSpanProcessor({ ...options, sink: this.sink });
    this.provider = new BasicTracerProvider({
      spanProcessors: [new ContextAttributesSpanProcessor(), this.processor],
    });
    this.tracker = new AgentTracker({ tracerProvider: this.provider, agentName: 'support' });
  }

  /** Every track message so far, after a flush. */
  async events(): Promise<TrackMessage[]> {
    await this.processor.forceFlush();
    return this.sink.messages.filter((m): m is TrackMessage => m.type === 'track');
  }

  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}

let manager: AsyncLocalStorageContextManager | undefined;

/** Async context propagation, as the SDK's Node setup registers it. */
export function enableContext(): void {
  manager ??= new AsyncLocalStorageContextManager();
  context.setGlobalContextManager(manager.enable());
}

export function disableContext(): void {
  context.disable();
}

/**
 * The file's tests against one local fake OpenAI server, with async context on: `setUp` runs once
 * the server is up, `tearDown` before it stops. Returns the server (once the file's tests run).
 */
export function useFakeOpenAI(hooks: { setUp?: () => void; tearDown?: () => void } = {}): () => FakeOpenAI {
  let server: FakeOpenAI | undefined;
  beforeAll(async () => {
    enableContext();
    server = await startFakeOpenAI();
    hooks.setUp?.();
  });
  afterAll(async () => {
    hooks.tearDown?.();
    disableContext();
    await server?.close();
  });
  return () => server!;
}

/** Event names, sorted: what a test compares first. */
export const names = (messages: readonly TrackMessage[]): string[] => messages.map((m) => m.event).sort();

export const one = (messages: readonly TrackMessage[], event: string): TrackMessage => {
  const found = messages.filter((m) => m.event === event);
  if (found.length !== 1) throw new Error(`expected one ${event}, got ${found.length}`);
  return found[0]!;
};
