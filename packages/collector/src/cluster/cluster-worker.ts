import { SpantrackConfigError } from '@spantrack/processor/translate';
import { type Collector, startCollector, type WholeCollectorView } from '../collector';
import { describeSink, resolveOutputSettings } from '../config';
import { CliLogger } from '../log/cli-logger';
import type { LogEvent } from '../log/log-event';
import { portProblem } from '../log/port-problem';
import { startupLine } from '../log/startup-line';
import { type PrimaryMessage, type Question, WORKER_INDEX_ENV, type WorkerMessage } from './cluster-messages';

/** How long a worker waits for the primary's answer about the whole before answering for itself. */
const ASK_TIMEOUT_MS = 2_000;

/**
 * One worker of `spantrack-collector --workers N`: a whole collector (receivers, pipeline, sink)
 * with its share of the limits, on the ports it shares with the other workers through the
 * primary. Its `/metrics`, `/healthz` and `/readyz` answer for every worker, via the primary.
 * It prints no summary line: the primary prints one for the whole, from each worker's `stats`.
 */
export async function runWorker(): Promise<void> {
  const index = Number(process.env[WORKER_INDEX_ENV]);
  // The primary resolved these settings already (a bad one never reaches a worker).
  const output = resolveOutputSettings(process.env);
  const logger = new CliLogger(output.logFormat, output.logLevel, undefined, index);
  const write = (line: string, event: LogEvent) => logger.write(line, event);
  const fatal = (line: string) => write(line, { level: 'error', msg: 'fatal', error: line });
  const send = (message: WorkerMessage) => process.send?.(message);

  let collector: Collector | undefined;
  let nextId = 0;
  const waiting = new Map<number, (answer: string | undefined) => void>();
  const ask = (question: Question, fallback: () => string | undefined | Promise<string | undefined>) =>
    new Promise<string | undefined>((resolve) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        void Promise.resolve(fallback()).then(resolve, () => resolve(undefined));
      }, ASK_TIMEOUT_MS);
      waiting.set(id, (answer) => {
        clearTimeout(timer);
        resolve(answer);
      });
      send({ t: 'ask', id, question });
    });
  const view: WholeCollectorView = {
    metrics: async () => (await ask('metrics', () => collector?.metrics())) ?? '',
    notReady: () => ask('notReady', () => collector?.notReady()),
    health: async () => (await ask('health', () => 'ok')) ?? 'ok',
  };

  let stopping: Promise<void> | undefined;
  const stop = (why: string) => {
    stopping ??= (async () => {
      const c = collector;
      if (c === undefined) process.exit(0);
      const queued = c.stats().queueDepth;
      write(`${why}: draining (${queued} messages queued)`, {
        level: 'info',
        msg: 'stopping',
        reason: why,
        queue_depth: queued,
      });
      try {
        await c.close();
      } catch (error) {
        fatal(`shutdown failed: ${String(error)}`);
        process.exitCode = 1;
      }
      // Leave once the stats are on their way to the primary (or the primary is gone).
      const stopped: WorkerMessage = { t: 'stopped', stats: c.stats() };
      if (process.connected) process.send?.(stopped, undefined, {}, () => process.exit());
      else process.exit();
    })();
    return stopping;
  };

  process.on('message', (message: PrimaryMessage) => {
    switch (message.t) {
      case 'local?': {
        const c = collector;
        const answer =
          c === undefined
            ? undefined
            : message.question === 'metrics'
              ? c.metrics()
              : message.question === 'notReady'
                ? c.notReady()
                : message.question === 'stats'
                  ? JSON.stringify(c.stats())
                  : 'ok';
        void Promise.resolve(answer).then(
          (a) => send({ t: 'local', id: message.id, answer: a }),
          () => send({ t: 'local', id: message.id, answer: undefined }),
        );
        return;
      }
      case 'answer':
        waiting.get(message.id)?.(message.answer);
        waiting.delete(message.id);
        return;
      case 'drain':
        void stop('primary asked');
        return;
    }
  });
  // The primary forwards signals as `drain`; a worker signalled directly drains as well. SIGINT
  // from a terminal reaches every process of the group: the primary's `drain` covers it.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => {});
  // The primary is gone (killed): nobody routes connections here any more; finish and leave.
  process.on('disconnect', () => void stop('primary gone'));

  try {
    collector = await startCollector({ env: process.env, log: write }, view);
  } catch (error) {
    const reason =
      error instanceof SpantrackConfigError
        ? error.message
        : (portProblem(error) ?? (error as Error).message);
    const code = error instanceof SpantrackConfigError ? 2 : 1;
    // The primary prints the reason (once, not once per worker); alone, the worker prints it.
    if (process.connected) process.send?.({ t: 'failed', reason }, undefined, {}, () => process.exit(code));
    else {
      fatal(`could not start: ${reason}`);
      process.exit(code);
    }
    return;
  }
  send({
    t: 'listening',
    started: startupLine(collector),
    sink: describeSink(collector.config.sink),
    ack: collector.config.ack,
  });
}
