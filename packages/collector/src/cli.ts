#!/usr/bin/env node
import cluster from 'node:cluster';
import { logVerbosity, setLogVerbosity } from '@grpc/grpc-js';
import { cliEnvironment, HELP, settingName } from './cli-flags';
import { runPrimary } from './cluster/cluster-primary';
import { runWorker } from './cluster/cluster-worker';
import { resolveWorkers } from './cluster/worker-count';
import { type Collector, startCollector } from './collector';
import { type OutputSettings, resolveOutputSettings } from './config';
import { CliLogger } from './log/cli-logger';
import { portProblem } from './log/port-problem';
import { startupLine } from './log/startup-line';
import { startSummary, summaryLine } from './log/summary-line';
import { resolveStoreSetting } from './store/store-setting';

/** Exit codes: 1 could not start or failed at run time, 2 invalid command line or configuration. */
const CONFIG_EXIT = 2;
const RUNTIME_EXIT = 1;

let logger = new CliLogger('text', 'info');

/** One line on stderr (text or JSON), then exit: never a stack trace. */
function fail(message: string, code: number, fields: Record<string, unknown> = {}): never {
  logger.write(message, {
    level: 'error',
    msg: code === CONFIG_EXIT ? 'configuration error' : 'fatal',
    error: message,
    ...fields,
  });
  process.exit(code);
}

/**
 * A `SpantrackConfigError`, recognised by shape rather than class: the class may come from
 * another copy of `@spantrack/processor` than the one this file was bundled against.
 */
function configProblem(error: unknown): { setting: string; detail: string } | undefined {
  if (!(error instanceof Error) || error.name !== 'SpantrackConfigError') return undefined;
  const option = (error as Error & { option?: unknown }).option;
  if (typeof option !== 'string') return undefined;
  const detail = error.message.startsWith(`${option}: `)
    ? error.message.slice(option.length + 2)
    : error.message;
  return { setting: settingName(option), detail };
}

async function main(): Promise<void> {
  // A worker of `--workers N` reads its settings (and its share of the limits) from its environment.
  if (cluster.isWorker) return runWorker();
  // grpc-js logs its own errors to stderr; the CLI reports them itself, in one line.
  if (process.env.GRPC_VERBOSITY === undefined) setLogVerbosity(logVerbosity.NONE);
  let env: Record<string, string | undefined>;
  const deprecations: string[] = [];
  try {
    const parsed = cliEnvironment(process.argv.slice(2), process.env, (message) =>
      deprecations.push(message),
    );
    if (parsed.help) {
      process.stdout.write(HELP);
      process.exit(0);
    }
    env = parsed.env;
  } catch (error) {
    fail(`${(error as Error).message} (try --help)`, CONFIG_EXIT);
  }
  let output: OutputSettings;
  try {
    output = resolveOutputSettings(env);
  } catch (error) {
    const problem = configProblem(error);
    if (problem) fail(`${problem.setting}: ${problem.detail}`, CONFIG_EXIT, { setting: problem.setting });
    throw error;
  }
  logger = new CliLogger(output.logFormat, output.logLevel);
  const log = (line: string, event: Parameters<CliLogger['write']>[1]) => logger.write(line, event);
  for (const warning of deprecations) log(warning, { level: 'warn', msg: 'deprecated setting', warning });

  // Several workers (by default one per core; one with a store): this process forks N collectors
  // sharing the ports (cluster/).
  let workers = 1;
  try {
    workers = resolveWorkers(undefined, env, resolveStoreSetting(undefined, env));
  } catch (error) {
    const problem = configProblem(error);
    if (problem) fail(`${problem.setting}: ${problem.detail}`, CONFIG_EXIT, { setting: problem.setting });
    throw error;
  }
  if (workers > 1) {
    try {
      process.exit(
        await runPrimary({
          env,
          workers,
          summaryIntervalMs: output.summaryIntervalMs,
          write: (line, event, toStdout) => logger.write(line, event, toStdout),
        }),
      );
    } catch (error) {
      const problem = configProblem(error);
      if (problem) fail(`${problem.setting}: ${problem.detail}`, CONFIG_EXIT, { setting: problem.setting });
      fail(`could not start: ${portProblem(error) ?? (error as Error).message}`, RUNTIME_EXIT);
    }
  }

  // The signal handlers come before anything is started: a SIGTERM that arrives while the
  // collector starts (or just after its startup line, which a supervisor may take as the sign it
  // is ready) drains it once started, instead of ending the process mid-write.
  let collector: Collector | undefined;
  let stopSummary = () => {};
  let stopping: string | undefined;
  const stop = (signal: string) => {
    if (stopping) {
      logger.write(`${signal} again, exiting now`, { level: 'warn', msg: 'exiting now', signal });
      process.exit(RUNTIME_EXIT);
    }
    stopping = signal;
    if (collector) drain(collector, signal);
  };
  const drain = (running: Collector, signal: string) => {
    stopSummary();
    logger.write(`${signal}: draining`, { level: 'info', msg: 'stopping', signal });
    running.close().then(
      () => {
        const { line, event } = summaryLine(running.stats());
        logger.write(`stopped: ${line}`, { ...event, msg: 'stopped' });
        process.exit(0);
      },
      (error: unknown) => fail(`shutdown failed: ${String(error)}`, RUNTIME_EXIT),
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  try {
    collector = await startCollector({ env, log });
  } catch (error) {
    const problem = configProblem(error);
    if (problem) fail(`${problem.setting}: ${problem.detail}`, CONFIG_EXIT, { setting: problem.setting });
    fail(`could not start: ${portProblem(error) ?? (error as Error).message}`, RUNTIME_EXIT);
  }

  const started = startupLine(collector);
  logger.write(started.line, started.event, true);
  const running = collector;
  stopSummary = startSummary(() => running.stats(), output.summaryIntervalMs, log);
  if (stopping) drain(running, stopping);
}

// Whatever escapes is reported in one line, not as a stack trace from a bundled chunk.
process.on('uncaughtException', (error) => fail(`unexpected error: ${error.message}`, RUNTIME_EXIT));
process.on('unhandledRejection', (reason) => fail(`unexpected error: ${String(reason)}`, RUNTIME_EXIT));
main().catch((error: unknown) => fail(`unexpected error: ${String(error)}`, RUNTIME_EXIT));
