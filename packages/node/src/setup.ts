import { context, DiagLogLevel, diag, propagation, type TracerProvider, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { setDefaultCaptureContent } from '@spantrack/instrumentation';
import { attachSpanProcessors, registeredTracerProvider } from './attach-span-processors';
import { type BuiltSpanProcessors, buildSpanProcessors } from './create-span-processors';
import { detectInstrumentations } from './instrumentations';
import { type ResolvedConfig, resolveConfig, type SetupEntry } from './resolve-config';
import { installSignalHandlers } from './signal-handlers';
import { describeSink, exitLine, startupLine } from './status-lines';
import type { SetupState, SpantrackHandle, SpantrackNodeOptions, SpantrackStats } from './types';
import { createLogger, type Logger } from './warn';

/** Shared by the ESM and CJS copies of this package, so that either one sets up only once. */
const STATE_KEY = Symbol.for('spantrack.node.setup');

interface SetupRecord {
  handle: SpantrackHandle;
  /** Prints at the resolved `logLevel`. */
  log: Logger;
  /** Prints the exit line, once (at `info`); installed as an `exit` listener too. */
  exitSummary?: () => void;
  fingerprint: string;
  /** Extra teardown for tests: the globals this setup registered. */
  teardown: () => void;
  /** `beforeExit` hook installed by this setup. */
  beforeExit?: () => void;
  /** `exit` hook installed by the register entry. */
  exit?: () => void;
  /** Removes the SIGTERM / SIGINT listeners this setup installed. */
  removeSignalHandlers?: () => void;
  /** Fingerprints of later setup() calls already warned about. */
  warnedFingerprints: Set<string>;
  /** `spansEnded` when the last flush (or shutdown) completed within its deadline. */
  flushedAt: number;
  /**
   * The flush at `beforeExit`: like `flush()`, but the deadline holds the process open, and when it
   * passes the analytics sink is aborted and what was lost is printed. Resolves true when done in time.
   */
  exitFlush: () => Promise<boolean>;
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
  return setupFrom(options, 'setup');
}

/** @internal The register entry's setup: from env vars, with the startup and exit lines on by default. */
export function setupFromRegister(): SpantrackHandle {
  return setupFrom(undefined, 'register');
}

function setupFrom(options: SpantrackNodeOptions | undefined, entry: SetupEntry): SpantrackHandle {
  const g = globalThis as GlobalWithState;
  const existing = g[STATE_KEY];
  if (existing !== undefined) {
    const fp = fingerprint(options);
    if (options !== undefined && fp !== existing.fingerprint && !existing.warnedFingerprints.has(fp)) {
      // Once per distinct options: module re-evaluation (dev servers) would otherwise repeat it.
      existing.warnedFingerprints.add(fp);
      existing.log.warn(
        'setup() was already called (by @spantrack/node/register or earlier code); the options of this call are ignored. Configure spantrack in one place: either env vars with --import @spantrack/node/register, or one setup(options) call.',
      );
    }
    return existing.handle;
  }
  const config = resolveConfig(options, process.env, entry);
  const log = createLogger(config.logLevel);
  for (const w of config.warnings) log.warn(w);
  const record = config.disabled ? disabledRecord() : start(config, log);
  record.fingerprint = fingerprint(options);
  if (!config.disabled) {
    installBeforeExitFlush(record);
    if (log.level === 'info') installExitSummary(record);
    // Both entries: without it, SIGTERM to an app that called setup() and has no handler of its
    // own would end the process at once and lose every queued event.
    record.removeSignalHandlers = installSignalHandlers(record.handle, () => record.exitSummary?.());
  }
  g[STATE_KEY] = record;
  return record.handle;
}

/**
 * The exit line, once: from an `exit` listener (after the `beforeExit` flush), or from the signal
 * handler before it re-raises the signal (a process killed by a signal emits no `exit`).
 */
function installExitSummary(record: SetupRecord): void {
  let printed = false;
  const summary = (): void => {
    if (printed) return;
    printed = true;
    record.log.info(exitLine(record.handle.stats()));
  };
  process.on('exit', summary);
  record.exitSummary = summary;
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
  record.removeSignalHandlers?.();
  if (record.beforeExit !== undefined) process.removeListener('beforeExit', record.beforeExit);
  if (record.exit !== undefined) process.removeListener('exit', record.exit);
  if (record.exitSummary !== undefined) process.removeListener('exit', record.exitSummary);
  delete g[STATE_KEY];
}

function start(config: ResolvedConfig, log: Logger): SetupRecord {
  const { warn } = log;
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
    const detected = detectInstrumentations(config.privacy.captureContent === true);
    instrumentations.push(...detected.instrumentations);
    // setup() runs once per process, so each of these is said once.
    for (const w of detected.warnings) warn(w);
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
  const flushWork = () => Promise.allSettled(processors.map((p) => p.forceFlush()));
  /** The analytics processor's own deadline (the same timeout) can end its flush with events still pending. */
  const analyticsDone = (): boolean => {
    const a = built.analytics?.stats();
    return a === undefined || a.pendingMessages + a.queueDepth === 0;
  };

  /**
   * After a deadline passed: shuts the analytics sink down at once (the Segment publisher fails what
   * is pending, wakes its backoff sleeps and aborts its requests), so no retry outlives the deadline.
   * Resolves with the number of events that were not delivered, or undefined without analytics.
   */
  const abortAnalytics = async (failedBefore: number): Promise<number | undefined> => {
    const analytics = built.analytics;
    if (analytics === undefined || built.sink === undefined) return undefined;
    built.muteDeliveryWarning = true;
    const settled = Promise.allSettled([built.sink.shutdown(0), analytics.shutdown()]);
    // Aborting settles at once; the grace only covers a sink that does not (a custom one).
    await withDeadline(log, settled, Math.min(ABORT_GRACE_MILLIS, timeout), '', { ref: true, quiet: true });
    const a = analytics.stats();
    return a.messagesFailed - failedBefore + a.pendingMessages;
  };

  const record: SetupRecord = {
    handle: undefined as unknown as SpantrackHandle,
    log,
    fingerprint: '',
    warnedFingerprints: new Set(),
    flushedAt: 0,
    teardown: () => {
      for (const undo of unregisterGlobals) undo();
    },
    exitFlush: async () => {
      const ended = built.counter.ended;
      const failedBefore = built.analytics?.stats().messagesFailed ?? 0;
      // A ref'd deadline: the publisher's backoff timers are unref'd, so this keeps the process
      // alive while the flush waits for them, and no longer.
      if (
        (await withDeadline(log, flushWork(), timeout, 'flush', { ref: true, quiet: true })) &&
        analyticsDone()
      ) {
        record.flushedAt = ended;
        return true;
      }
      const lost = await abortAnalytics(failedBefore);
      record.flushedAt = built.counter.ended;
      warn(
        `the flush at exit did not finish within ${timeout} ms (${ENV_TIMEOUT_HINT})${lost !== undefined ? `: ${lost} analytics event(s) not delivered` : ''}${built.exporter !== undefined ? '; spans still buffered or being retried by the OTLP exporter are lost' : ''}`,
      );
      return false;
    },
  };

  const handle: SpantrackHandle = {
    state,
    tracerProvider: provider,
    flush: async () => {
      const ended = built.counter.ended;
      if ((await withDeadline(log, flushWork(), timeout, 'flush')) && analyticsDone()) {
        record.flushedAt = Math.max(record.flushedAt, ended);
      }
    },
    shutdown: () => {
      shutdownPromise ??= (async () => {
        const ended = built.counter.ended;
        const failedBefore = built.analytics?.stats().messagesFailed ?? 0;
        // One summary at the end instead of the first-failure warning in the middle.
        built.muteDeliveryWarning = true;
        // The processors share this deadline inside (flush and sink shutdown within it in total).
        const work =
          ownProvider !== undefined
            ? ownProvider.shutdown()
            : Promise.allSettled(processors.map((p) => p.shutdown()));
        if ((await withDeadline(log, work, timeout, 'shutdown')) && analyticsDone()) {
          record.flushedAt = ended;
        } else {
          // Past the deadline: nothing may keep retrying in the background.
          await abortAnalytics(failedBefore);
          record.flushedAt = built.counter.ended;
        }
        const a = built.analytics?.stats();
        const undelivered = a === undefined ? 0 : a.messagesFailed + a.messagesDropped + a.pendingMessages;
        if (a !== undefined && undelivered > 0) {
          warn(
            `${undelivered} analytics event(s) not delivered to ${describeSink(config)}: ${a.messagesFailed} failed, ${a.messagesDropped} dropped, ${a.pendingMessages} still pending at the ${timeout} ms deadline (${ENV_TIMEOUT_HINT})`,
          );
        }
        detach();
        unregisterInstrumentations();
      })();
      return shutdownPromise;
    },
    stats: (): SpantrackStats => built.stats(),
  };
  record.handle = handle;
  log.info(startupLine(config, state, built.tracesUrl));
  return record;
}

const ENV_TIMEOUT_HINT = 'shutdownTimeoutMillis / SPANTRACK_SHUTDOWN_TIMEOUT_MILLIS';
/** After the deadline, how long aborting the analytics sink may take (the publisher's abort is immediate). */
const ABORT_GRACE_MILLIS = 200;

function disabledRecord(): SetupRecord {
  return {
    log: createLogger('none'),
    handle: {
      state: 'disabled',
      tracerProvider: trace.getTracerProvider(),
      flush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
      stats: () => ({ spansEnded: 0, traces: undefined, analytics: undefined }),
    },
    fingerprint: '',
    warnedFingerprints: new Set(),
    flushedAt: 0,
    teardown: () => {},
    exitFlush: () => Promise.resolve(true),
  };
}

/**
 * Batch processors run on unref'd timers, so a script that simply returns would exit with spans
 * and events still buffered: flush when the event loop empties, again only if spans ended since.
 *
 * When that flush runs out of time (`shutdownTimeoutMillis`), the analytics sink is aborted, what
 * was lost is printed once, and the process is ended with `process.exit(process.exitCode ?? 0)`:
 * the OTLP exporter's retry timers are ref'd and its timeout is fixed at construction, so without
 * it an unreachable endpoint would hold the exit for up to the exporter's own timeout. Only this
 * `beforeExit` path does so, and only after the deadline, when nothing but spantrack's delivery is
 * left in the event loop (that is what `beforeExit` means).
 */
function installBeforeExitFlush(record: SetupRecord): void {
  let flushing = false;
  const onBeforeExit = (): void => {
    if (flushing) return;
    if (record.handle.stats().spansEnded === record.flushedAt) return;
    flushing = true;
    void record.exitFlush().then(
      (done) => {
        flushing = false;
        if (!done) process.exit(process.exitCode ?? 0);
      },
      () => {
        flushing = false;
      },
    );
  };
  process.on('beforeExit', onBeforeExit);
  record.beforeExit = onBeforeExit;
}

/**
 * @internal For the register entry: a synchronous `exit` listener that says, once, how many spans
 * ended after the last completed flush (`process.exit()` or an uncaught exception skips the
 * `beforeExit` flush and loses them), and forwards the API's refusal of a second global tracer
 * provider to `warn()` (an app registering its own provider after the register entry otherwise
 * fails silently). The diag logger is installed only by the register entry, which runs before any
 * application code, so it never replaces an application's logger; an application that installs
 * its own later replaces it.
 */
export function installExitWarnings(): void {
  const record = (globalThis as GlobalWithState)[STATE_KEY];
  if (record === undefined || record.handle.state === 'disabled' || record.exit !== undefined) return;
  let warned = false;
  const onExit = (): void => {
    if (warned) return;
    const lost = record.handle.stats().spansEnded - record.flushedAt;
    if (lost <= 0) return;
    warned = true;
    record.log.warn(
      `${lost} span(s) ended after the last flush were not delivered: call \`await getSetup()?.shutdown()\` before process.exit()`,
    );
  };
  process.on('exit', onExit);
  record.exit = onExit;

  if (record.handle.state !== 'registered') return;
  let warnedProvider = false;
  const ignore = (): void => {};
  diag.setLogger(
    {
      error: (message: string) => {
        if (warnedProvider || !String(message).includes('duplicate registration of API: trace')) return;
        warnedProvider = true;
        record.log.warn(
          "another tracer provider tried to register globally after @spantrack/node/register: the OpenTelemetry API refused it, so spans from the global tracer go to spantrack's provider only and that provider's processors and exporters see none of them. Fix: drop --import @spantrack/node/register and pass spantrack's processors to your provider (createSpanProcessors from '@spantrack/node'), or stop registering your own provider.",
        );
      },
      warn: ignore,
      info: ignore,
      debug: ignore,
      verbose: ignore,
    },
    { logLevel: DiagLogLevel.ERROR, suppressOverrideMessage: true },
  );
}

/** Resolves true when `work` settled before the deadline. */
async function withDeadline(
  log: Logger,
  work: Promise<unknown>,
  timeoutMs: number,
  what: string,
  opts: { ref?: boolean; quiet?: boolean } = {},
): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => {
      if (opts.quiet !== true) {
        log.warn(`${what} did not finish within ${timeoutMs} ms; what was still buffered may be lost`);
      }
      resolve(false);
    }, timeoutMs);
    if (opts.ref !== true) timer.unref?.();
  });
  const guarded = work.then(
    () => true,
    (error: unknown) => {
      if (opts.quiet !== true) {
        log.warn(`${what} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
      return true;
    },
  );
  try {
    return await Promise.race([guarded, deadline]);
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
