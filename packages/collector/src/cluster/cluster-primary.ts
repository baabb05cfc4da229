import cluster, { type Worker } from 'node:cluster';
import type { Meter } from '@opentelemetry/api';
import type { CollectorStats } from '../collector';
import { resolveConfig } from '../config';
import type { LogEvent } from '../log/log-event';
import { startSummary, summaryLine } from '../log/summary-line';
import { createCollectorTelemetry } from '../telemetry/collector-meter-provider';
import { type PrimaryMessage, type Question, WORKER_INDEX_ENV, type WorkerMessage } from './cluster-messages';
import { mergeMetricsText } from './merge-metrics';
import { mergeStats, retired } from './merge-stats';
import { divideLimits, limitsEnv } from './worker-limits';

/** How long the primary waits for the workers' own answers to a question about the whole. */
const ROUND_TIMEOUT_MS = 1_000;

export interface PrimaryOptions {
  /** Settings, flags already folded in (workers get them as their environment). */
  env: Record<string, string | undefined>;
  workers: number;
  /** How often the summary line of the whole is considered. */
  summaryIntervalMs: number;
  /** The CLI's logger (`--log-format`, `--log-level`): `toStdout` for the listening addresses. */
  write: (line: string, event: LogEvent, toStdout?: boolean) => void;
}

interface Slot {
  index: number;
  env: Record<string, string>;
  worker: Worker;
  listening: boolean;
  /** Why it could not start, as it said. */
  failure?: string;
  /** Its figures: the last ones it answered, then the final ones it sent when it stopped. */
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
  const { workers, write } = options;
  // `msg` is a stable key for JSON logs; the text form is `line`.
  const log = (line: string, level: LogEvent['level'], msg: string, fields: Record<string, unknown> = {}) =>
    write(line, { level, msg, ...fields });
  const config = resolveConfig({ env: options.env });
  const shares = divideLimits(config, workers);
  // What only the primary knows (how many workers serve, its own memory), from its own instruments.
  const telemetry = await createCollectorTelemetry(config.metricsExport, (line, event) => write(line, event));
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
  // What workers that died (and were replaced) had counted: it stays in the totals.
  const gone: CollectorStats[] = [];

  // Questions about the whole: one round per question, every live worker answers for itself.
  let nextRound = 0;
  type Answer = { slot: Slot; answer: string | undefined };
  const rounds = new Map<number, { answers: Answer[]; left: number; done: () => void }>();
  async function askEach(question: Question): Promise<Answer[]> {
    const live = slots.filter((s) => s.listening && s.worker.isConnected());
    const id = nextRound++;
    const answers: Answer[] = [];
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
  const askAll = async (question: Question) => (await askEach(question)).map((a) => a.answer);
  /** The whole's figures: every live worker's answer (remembered), with the dead ones' last. */
  async function wholeStats(): Promise<CollectorStats> {
    for (const { slot, answer } of await askEach('stats'))
      if (answer !== undefined) slot.stats = JSON.parse(answer) as CollectorStats;
    return mergeStats([...gone, ...slots.flatMap((s) => (s.stats ? [s.stats] : []))]);
  }
  async function answer(question: Question): Promise<string | undefined> {
    const live = () => slots.filter((s) => s.listening && s.worker.isConnected()).length;
    // Liveness is the primary's own view: asking every worker would make /healthz as slow as the
    // busiest worker's event loop, not the one that answers.
    if (question === 'health') return `ok (${live()} of ${workers} workers)`;
    const answers = await askAll(question);
    switch (question) {
      case 'metrics':
        return mergeMetricsText([...answers.map((a) => a ?? ''), await telemetry.renderPrometheus()]);
      case 'notReady': {
        const reasons = [...new Set(answers.filter((a): a is string => a !== undefined))];
        if (reasons.length > 0)
          return `${reasons.join(', ')} (${answers.filter(Boolean).length} of ${live()} workers)`;
        return live() === 0 ? 'no worker running' : undefined;
      }
      case 'stats':
        return JSON.stringify(await wholeStats());
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
          if (restart)
            log(`worker ${index} restarted (pid ${worker.process.pid})`, 'info', 'worker restarted', {
              worker: index,
              pid: worker.process.pid,
            });
          firstListening ??= message;
          if (slots.every((s) => s.listening)) startedResolve();
          return;
        case 'ask':
          void answer(message.question).then((a) => send(worker, { t: 'answer', id: message.id, answer: a }));
          return;
        case 'local': {
          const round = rounds.get(message.id);
          if (round === undefined) return;
          round.answers.push({ slot, answer: message.answer });
          if (--round.left <= 0) round.done();
          return;
        }
        case 'stopped':
          slot.stats = message.stats;
          return;
        case 'failed':
          slot.failure = message.reason;
          return;
      }
    });
    worker.on('exit', (code, signal) => {
      const clean = code === 0 && signal === null;
      if (!slot.listening) {
        startedReject(
          new Error(
            slot.failure ?? `worker ${index} exited before it was listening (${signal ?? `code ${code}`})`,
          ),
        );
      }
      if (stopping) {
        if (!clean) exitCode = 1;
        if (slots.every((s) => s.worker.isDead())) allExited();
        return;
      }
      if (!slot.listening) {
        // It never served: restarting would fail the same way (port taken, sink refused). The
        // startup fails with its reason (above).
        exitCode = 1;
        void stop('startup failed');
        return;
      }
      log(
        `worker ${index} (pid ${worker.process.pid}) died (${signal ?? `code ${code}`})`,
        'warn',
        'worker died',
        {
          worker: index,
          pid: worker.process.pid,
          exit: signal ?? code,
        },
      );
      // Its counts up to its last answer stay in the totals; what it held is no longer queued.
      if (slot.stats) gone.push(retired(slot.stats));
      slots[slots.indexOf(slot)] = fork(index, env, true);
    });
    return slot;
  }

  let stopPromise: Promise<void> | undefined;
  function stop(why: string): Promise<void> {
    stopPromise ??= (async () => {
      stopping = true;
      log(`${why}: draining ${slots.length} workers`, 'info', 'stopping', {
        reason: why,
        workers: slots.length,
      });
      for (const s of slots) send(s.worker, { t: 'drain' });
      if (slots.every((s) => s.worker.isDead())) allExited();
      // Each worker drains within shutdownTimeoutMs; past that and a margin, it is ended.
      const timer = setTimeout(() => {
        for (const s of slots) {
          if (!s.worker.isDead()) {
            log(`worker ${s.index} did not stop in time: killing it`, 'warn', 'worker killed', {
              worker: s.index,
            });
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
      log(`${signal} again, exiting now`, 'warn', 'exiting now', { signal });
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
    log(`could not start: ${(error as Error).message}`, 'error', 'fatal', {
      error: (error as Error).message,
    });
    await stop('startup failed');
    await telemetry.shutdown(0);
    return exitCode === 0 ? 1 : exitCode;
  }
  const first = firstListening!;
  write(first.started.line, { ...first.started.event, workers }, true);
  const pids = slots.map((s) => s.worker.process.pid);
  write(
    `sink ${first.sink}; ack after ${first.ack === 'delivered' ? 'delivery' : 'receipt'}; ` +
      `${workers} workers (pids ${pids.join(', ')}), ` +
      `each with ${shares[0]!.maxQueuedMessages} queued messages and ${shares[0]!.maxBufferedBytes} body bytes at most`,
    {
      level: 'info',
      msg: 'workers started',
      sink: first.sink,
      ack: first.ack,
      workers,
      pids,
      max_queued_messages_each: shares[0]!.maxQueuedMessages,
      max_buffered_bytes_each: shares[0]!.maxBufferedBytes,
    },
  );
  // One summary line for the whole (workers print none).
  const stopSummary = startSummary(wholeStats, options.summaryIntervalMs, write);

  await exited;
  stopSummary();
  await telemetry.shutdown(1_000);
  // Every worker sent its final figures as it stopped; a dead one's last answer stands in for it.
  const { line, event } = summaryLine(
    mergeStats([...gone, ...slots.flatMap((s) => (s.stats ? [retired(s.stats)] : []))]),
  );
  write(`stopped: ${line} (${workers} workers)`, { ...event, msg: 'stopped', workers });
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
