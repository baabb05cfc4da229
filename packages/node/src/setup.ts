import { context, propagation, type TracerProvider, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { setDefaultCaptureContent } from '@spantrack/instrumentation';
import { attachSpanProcessors, registeredTracerProvider } from './attach-span-processors';
import { type BuiltSpanProcessors, buildSpanProcessors } from './create-span-processors';
import { detectInstrumentations } from './instrumentations';
import { type ResolvedConfig, resolveConfig } from './resolve-config';
import type { SetupState, SpantrackHandle, SpantrackNodeOptions, SpantrackStats } from './types';
import { warn } from './warn';

/** Shared by the ESM and CJS copies of this package, so that either one sets up only once. */
const STATE_KEY = Symbol.for('spantrack.node.setup');

interface SetupRecord {
  handle: SpantrackHandle;
  fingerprint: string;
  /** Extra teardown for tests: the globals this setup registered. */
  teardown: () => void;
  /** `beforeExit` hook installed by this setup. */
  beforeExit?: () => void;
}

type GlobalWithState = typeof globalThis & { [STATE_KEY]?: SetupRecord };

/**
 * Sets up tracing and analytics in one call: a `NodeTracerProvider` with the OTLP exporter, the
 * context-attributes and analytics processors and the installed LLM-client instrumentations,
 * registered globally. When another provider is already global (Sentry, another vendor), attaches
 * spantrack's processors to it instead, or warns with the remedy. Idempotent: later calls return
 * the first call's handle.
 *
 * Throws `SpantrackConfigError` (naming the option or env var, and the fix) on invalid configuration.
 */
export function setup(options?: SpantrackNodeOptions): SpantrackHandle {
  const g = globalThis as GlobalWithState;
  const existing = g[STATE_KEY];
  if (existing !== undefined) {
    if (options !== undefined && fingerprint(options) !== existing.fingerprint) {
      warn(
        'setup() was already called (by @spantrack/node/register or earlier code); the options of this call are ignored. Configure spantrack in one place: either env vars with --import @spantrack/node/register, or one setup(options) call.',
      );
    }
    return existing.handle;
  }
  const config = resolveConfig(options);
  for (const w of config.warnings) warn(w);
  const record = config.disabled ? disabledRecord() : start(config);
  record.fingerprint = fingerprint(options);
  if (!config.disabled) installBeforeExitFlush(record);
  g[STATE_KEY] = record;
  return record.handle;
}

/** The current setup's handle, if `setup` (or the register entry) has run. */
export function getSetup(): SpantrackHandle | undefined {
  return (globalThis as GlobalWithState)[STATE_KEY]?.handle;
}

/**
 * @internal For tests: shuts the current setup down and unregisters every global it set, so the
 * next `setup` starts afresh.
 */
export async function resetSetupForTests(): Promise<void> {
  const g = globalThis as GlobalWithState;
  const record = g[STATE_KEY];
  if (record === undefined) return;
  await record.handle.shutdown();
  record.teardown();
  if (record.beforeExit !== undefined) process.removeListener('beforeExit', record.beforeExit);
  delete g[STATE_KEY];
}

function start(config: ResolvedConfig): SetupRecord {
  const foreign = registeredTracerProvider();
  const unregisterGlobals: (() => void)[] = [];
  let provider: TracerProvider;
  let state: SetupState;
  let built: BuiltSpanProcessors;
  let detach = (): void => {};
  let ownProvider: NodeTracerProvider | undefined;

  if (foreign === undefined) {
    built = buildSpanProcessors(config, config.tracesExporter === 'otlp');
    ownProvider = new NodeTracerProvider({
      resource: defaultResource().merge(
        resourceFromAttributes({ ...config.resourceAttributes, 'service.name': config.serviceName }),
      ),
      spanProcessors: [...built.first, ...built.last],
      forceFlushTimeoutMillis: config.shutdownTimeoutMillis,
    });
    provider = ownProvider;
    trace.setGlobalTracerProvider(ownProvider);
    unregisterGlobals.push(() => trace.disable());
    // Only where nobody registered one before us (each returns false, changing nothing, otherwise).
    const contextManager = new AsyncLocalStorageContextManager().enable();
    if (context.setGlobalContextManager(contextManager)) unregisterGlobals.push(() => context.disable());
    else contextManager.disable();
    const propagator = new CompositePropagator({
      propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
    });
    if (propagation.setGlobalPropagator(propagator)) unregisterGlobals.push(() => propagation.disable());
    state = 'registered';
  } else {
    // The foreign provider exports its own traces; ours are added only when an endpoint was asked for.
    built = buildSpanProcessors(config, config.tracesExporter === 'otlp' && config.otlp.endpointExplicit);
    provider = foreign;
    const attached = attachSpanProcessors(foreign, built.first, built.last);
    const name = foreign.constructor?.name ?? 'TracerProvider';
    if (attached !== undefined) {
      state = 'attached';
      detach = attached.detach;
    } else {
      state = 'detached';
      warn(
        `a global tracer provider (${name}) is already registered and spantrack cannot add its processors to it: spantrack receives NO spans (no analytics events${built.exporter !== undefined ? ', no OTLP traces from spantrack' : ''}). Fix: pass spantrack's processors to that provider when you create it, e.g. new NodeTracerProvider({ spanProcessors: [...createSpanProcessors().spanProcessors, ...yours] }) with createSpanProcessors from '@spantrack/node', and do not call setup().`,
      );
    }
  }

  const instrumentations = [...config.instrumentations];
  if (config.autoInstrument) {
    instrumentations.push(...detectInstrumentations(config.privacy.captureContent === true).instrumentations);
  }
  const unregisterInstrumentations =
    instrumentations.length > 0
      ? registerInstrumentations({ instrumentations, tracerProvider: provider })
      : () => {};

  // One switch for the whole process: AgentTrackers built without their own option follow it.
  setDefaultCaptureContent(config.privacy.captureContent === true);
  unregisterGlobals.push(() => setDefaultCaptureContent(undefined));

  const processors = [...built.first, ...built.last];
  const timeout = config.shutdownTimeoutMillis;
  let shutdownPromise: Promise<void> | undefined;

  const handle: SpantrackHandle = {
    state,
    tracerProvider: provider,
    flush: () => withDeadline(Promise.allSettled(processors.map((p) => p.forceFlush())), timeout, 'flush'),
    shutdown: () => {
      shutdownPromise ??= (async () => {
        const work =
          ownProvider !== undefined
            ? ownProvider.shutdown()
            : Promise.allSettled(processors.map((p) => p.shutdown()));
        await withDeadline(work, timeout, 'shutdown');
        detach();
        unregisterInstrumentations();
      })();
      return shutdownPromise;
    },
    stats: (): SpantrackStats => built.stats(),
  };

  return {
    handle,
    fingerprint: '',
    teardown: () => {
      for (const undo of unregisterGlobals) undo();
    },
  };
}

function disabledRecord(): SetupRecord {
  return {
    handle: {
      state: 'disabled',
      tracerProvider: trace.getTracerProvider(),
      flush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
      stats: () => ({ spansEnded: 0, traces: undefined, analytics: undefined }),
    },
    fingerprint: '',
    teardown: () => {},
  };
}

/**
 * Batch processors run on unref'd timers, so a script that simply returns would exit with spans
 * and events still buffered: flush when the event loop empties, again only if spans ended since.
 */
function installBeforeExitFlush(record: SetupRecord): void {
  let flushedAt = -1;
  let flushing = false;
  const onBeforeExit = (): void => {
    if (flushing) return;
    const ended = record.handle.stats().spansEnded;
    if (ended === flushedAt) return;
    flushing = true;
    void record.handle.flush().finally(() => {
      flushedAt = ended;
      flushing = false;
    });
  };
  process.on('beforeExit', onBeforeExit);
  record.beforeExit = onBeforeExit;
}

async function withDeadline(work: Promise<unknown>, timeoutMs: number, what: string): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      warn(`${what} did not finish within ${timeoutMs} ms; what was still buffered may be lost`);
      resolve();
    }, timeoutMs);
    timer.unref?.();
  });
  const guarded = work.then(
    () => undefined,
    (error: unknown) => warn(`${what} failed: ${error instanceof Error ? error.message : String(error)}`),
  );
  try {
    await Promise.race([guarded, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Compares the options of two setup calls; functions and class instances compare by kind only. */
function fingerprint(options: SpantrackNodeOptions | undefined): string {
  if (options === undefined) return '';
  try {
    return JSON.stringify(options, (_key, value: unknown) => {
      if (typeof value === 'function') return '[function]';
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) return `[${value.constructor?.name ?? 'object'}]`;
      }
      return value;
    });
  } catch {
    return '[unserialisable]';
  }
}
