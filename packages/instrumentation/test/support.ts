import { context, type DiagLogger, DiagLogLevel, diag, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { AgentTracker, type AgentTrackerOptions, ContextAttributesSpanProcessor } from '../src/index';

/** A tracker writing to an in-memory exporter, with or without the context processor. */
export function setup(options: AgentTrackerOptions = {}, withContextProcessor = true) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    spanProcessors: [
      ...(withContextProcessor ? [new ContextAttributesSpanProcessor()] : []),
      new SimpleSpanProcessor(exporter),
    ],
  });
  const tracker = new AgentTracker({ tracerProvider: provider, ...options });
  const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
  const only = (): ReadableSpan => {
    const all = spans();
    expect(all.map((s) => s.name)).toHaveLength(1);
    return all[0]!;
  };
  const named = (name: string): ReadableSpan => {
    const found = spans().filter((s) => s.name === name);
    expect(found, `spans named ${name} among ${spans().map((s) => s.name)}`).toHaveLength(1);
    return found[0]!;
  };
  return { exporter, provider, tracker, spans, only, named };
}

/** Registers an async context manager for the file, so context follows awaits. */
export function useAsyncContext(): void {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });
}

/** Records `diag` warnings for each test. */
export function useDiag(): { warnings: string[] } {
  const state = { warnings: [] as string[] };
  const logger: DiagLogger = {
    error: (m) => state.warnings.push(m),
    warn: (m) => state.warnings.push(m),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  };
  beforeEach(() => {
    state.warnings = [];
    diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
  });
  afterEach(() => {
    diag.disable();
  });
  return state;
}

export function expectInternal(span: ReadableSpan): void {
  expect(span.kind).toBe(SpanKind.INTERNAL);
}

export function durationMs(span: ReadableSpan): number {
  return span.duration[0] * 1000 + span.duration[1] / 1e6;
}

export function hrToMs(t: readonly [number, number]): number {
  return t[0] * 1000 + t[1] / 1e6;
}
