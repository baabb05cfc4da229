import cluster, { type Worker } from 'node:cluster';
import type { Meter } from '@opentelemetry/api';
import type { CollectorStats } from '../collector';
import { resolveConfig } from '../config';
import { createCollectorTelemetry } from '../telemetry/collector-meter-provider';
import { type PrimaryMessage, type Question, WORKER_INDEX_ENV, type WorkerMessage } from './cluster-messages';
import { mergeMetricsText } from './merge-metrics';
import { divideLimits, limitsEnv } from './worker-limits';

/** How long the primary waits for the workers' own answers to a question about the whole. */
const ROUND_TIMEOUT_MS = 1_000;

export interface PrimaryOptions {
  /** Settings, flags already folded in (workers get them as their environment). */
  env: Record<string, string | undefined>;
  workers: number;
  /** stdout lines (the listening addresses, as a single process prints them). */
  out: (line: string) => void;
  /** stderr lines. */
  log: (line: string) => void;
}

interface Slot {
  index: number;
  env: Record<string, string>;
  worker: Worker;
  listening: boolean;
  stats: CollectorStats | undefined;
}

/**
 * The primary of `spantrack-collector --workers N`: forks N workers that share the HTTP and gRPC
 * ports (node:cluster hands each accepted connection to a worker in turn), gives each its part of
 * the queue and body budget, restarts a worker that dies (its open requests fail at the sender's
 * end, which retries: the same spans give the same messageIds), answers the workers' questions
 * about the whole, and on SIGTERM / SIGINT drains every worker before exiting.
 * Resolves with the process exit code once every worker has stopped.
 * @throws SpantrackConfigError when a setting is invalid (checked before any worker starts)
 */
export async function runPrimary(options: PrimaryOptions): Promise<number> {
  const { workers, log } = options;
  const config = resolveConfig({ env: options.env });
  const shares = divideLimits(config, workers);
  // What only the primary knows (how many workers serve, its own memory), from its own instruments.
  const telemetry = await createCollectorTelemetry(config.metricsExport, (line) => log(line));
  observeWorkers(telemetry.meter, () => ({
    serving: slots.filter((s) => s.listening && s.worker.isConnected()).length,
    configured: workers,
  }));
  // Workers read everything from their environment: no flags, so none can override their share.
  cluster.setupPrimary({ args: [] });

  const slots: Slot[] = [];
  let stopping = false;
  let exitCode = 0;
  let startedResolve: () => void = () => {};
  let startedReject: (error: Error) => void = () => {};
  const started = new Promise<void>((resolve, reject) => {
    startedResolve = resolve;
    startedReject = reject;
  });
  let allExited: () => void = () => {};
  const exited = new Promise<void>((resolve) => {
    allExited = resolve;
  });
  let firstListening: Extract<WorkerMessage, { t: 'listening' }> | undefined;

  // Questions about the whole: one round per question, every live worker answers for itself.
  let nextRound = 0;
  const rounds = new Map<number, { answers: (string | undefined)[]; left: number; done: () => void }>();
  async function askAll(question: Question): Promise<(string | undefined)[]> {
    const live = slots.filter((s) => s.listening && s.worker.isConnected());
    const id = nextRound++;
    const answers: (string | undefined)[] = [];
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ROUND_TIMEOUT_MS);
      rounds.set(id, {
        answers,
        left: live.length,
        done: () => {
          clearTimeout(timer);
          resolve();
        },
      });
      if (live.length === 0) resolve();
      for (const s of live) send(s.worker, { t: 'local?', id, question });
    });
    rounds.delete(id);
    return answers;
  }
  async function answer(question: Question): Promise<string | undefined> {
    const answers = await askAll(question);
    const live = slots.filter((s) => s.listening && s.worker.isConnected()).length;
    switch (question) {
      case 'metrics':
        return mergeMetricsText([...answers.map((a) => a ?? ''), await telemetry.renderPrometheus()]);
      case 'notReady': {
        const reasons = [...new Set(answers.filter((a): a is string => a !== undefined))];
        if (reasons.length > 0)
          return `${reasons.join(', ')} (${answers.filter(Boolean).length} of ${live} workers)`;
        return live === 0 ? 'no worker running' : undefined;
      }
      case 'health':
        return `ok (${live} of ${workers} workers)`;
    }
  }

  function send(worker: Worker, message: PrimaryMessage): void {
    if (worker.isConnected()) worker.send(message, undefined, () => {});
  }

  function fork(index: number, env: Record<string, string>, restart = false): Slot {
    const worker = cluster.fork(env);
    const slot: Slot = { index, env, worker, listening: false, stats: undefined };
    worker.on('message', (message: WorkerMessage) => {
      switch (message.t) {
        case 'listening':
          slot.listening = true;
          if (restart) log(`worker ${index} restarted (pid ${worker.process.pid})`);
          firstListening ??= message;
          if (slots.every((s) => s.listening)) startedResolve();
          return;
        case 'ask':
          void answer(message.question).then((a) => send(worker, { t: 'answer', id: message.id, answer: a }));
          return;
        case 'local': {
          const round = rounds.get(message.id);
          if (round === undefined) return;
          round.answers.push(message.answer);
          if (--round.left <= 0) round.done();
          return;
        }
        case 'stopped':
          slot.stats = message.stats;
          return;
      }
    });
    worker.on('exit', (code, signal) => {
      const clean = code === 0 && signal === null;
      if (!slot.listening) {
        startedReject(
          new Error(`worker ${index} exited before it was listening (${signal ?? `code ${code}`})`),
        );
      }
      if (stopping) {
        if (!clean) exitCode = 1;
        if (slots.every((s) => s.worker.isDead())) allExited();
        return;
      }
      log(`worker ${index} (pid ${worker.process.pid}) died (${signal ?? `code ${code}`})`);
      if (!slot.listening) {
        // It never served: restarting would fail the same way (port taken, sink refused).
        log(`worker ${index} died before it was listening: not restarting it, stopping`);
        exitCode = 1;
        void stop('a worker keeps dying');
        return;
      }
      slots[slots.indexOf(slot)] = fork(index, env, true);
    });
    return slot;
  }

  let stopPromise: Promise<void> | undefined;
  function stop(why: string): Promise<void> {
    stopPromise ??= (async () => {
      stopping = true;
      log(`${why}: draining ${slots.length} workers`);
      for (const s of slots) send(s.worker, { t: 'drain' });
      if (slots.every((s) => s.worker.isDead())) allExited();
      // Each worker drains within shutdownTimeoutMs; past that and a margin, it is ended.
      const timer = setTimeout(() => {
        for (const s of slots) {
          if (!s.worker.isDead()) {
            log(`worker ${s.index} did not stop in time: killing it`);
            s.worker.process.kill('SIGKILL');
          }
        }
      }, config.shutdownTimeoutMs + 2_000);
      await exited;
      clearTimeout(timer);
    })();
    return stopPromise;
  }

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopPromise !== undefined) {
      log(`${signal} again, exiting now`);
      for (const s of slots) s.worker.process.kill('SIGKILL');
      process.exit(1);
    }
    void stop(signal);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  shares.forEach((share, i) => {
    slots.push(
      fork(i + 1, {
        ...stringsOnly(options.env),
        ...limitsEnv(share),
        [WORKER_INDEX_ENV]: String(i + 1),
      }),
    );
  });

  try {
    await started;
  } catch (error) {
    log(`could not start: ${(error as Error).message}`);
    await stop('startup failed');
    await telemetry.shutdown(0);
    return exitCode === 0 ? 1 : exitCode;
  }
  const first = firstListening!;
  if (first.httpUrl)
    options.out(`spantrack-collector: OTLP/HTTP listening on ${first.httpUrl} (POST /v1/traces)`);
  if (first.grpcUrl) options.out(`spantrack-collector: OTLP/gRPC listening on ${first.grpcUrl}`);
  log(
    `sink ${first.sink}; ack after ${first.ack === 'delivered' ? 'delivery' : 'receipt'}; ` +
      `${workers} workers (pids ${slots.map((s) => s.worker.process.pid).join(', ')}), ` +
      `each with ${shares[0]!.maxQueuedMessages} queued messages and ${shares[0]!.maxBufferedBytes} body bytes at most`,
  );

  await exited;
  await telemetry.shutdown(1_000);
  const delivered = slots.reduce((n, s) => n + (s.stats?.messagesDelivered ?? 0), 0);
  const failed = slots.reduce((n, s) => n + (s.stats?.messagesFailed ?? 0), 0);
  log(`stopped (${delivered} messages delivered, ${failed} failed; ${slots.length} workers)`);
  return exitCode;
}

function stringsOnly(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

/** `spantrack_collector_workers{state="serving"|"configured"}`, read at collection. */
function observeWorkers(meter: Meter, read: () => { serving: number; configured: number }): void {
  meter
    .createObservableGauge('spantrack.collector.workers', {
      description: 'Worker processes serving, and configured.',
    })
    .addCallback((result) => {
      const { serving, configured } = read();
      result.observe(serving, { state: 'serving' });
      result.observe(configured, { state: 'configured' });
    });
}
