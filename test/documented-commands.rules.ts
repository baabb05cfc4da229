/*
 * How test/documented-commands.test.ts runs the shell commands of README.md, docs/*.md and
 * examples/*\/README.md. Every ```sh / ```bash / ```shell block is picked up by itself; this file
 * only says what the test must do differently for some commands, and why. A rule that matches no
 * documented command any more fails the test, so this list cannot go stale.
 *
 * Placeholders the test fills in: {otlpHttp} (host:port of the OTLP/HTTP receiver of a spantrack
 * collector the test runs, delivering to a local Segment test server), {tmp} (a fresh folder),
 * {writeKey} (the test server's write key), {app} / {appCjs} (a placeholder application: a script
 * that starts one span through the global tracer provider).
 */

export interface NotRun {
  match: RegExp;
  /** Why this command cannot run in the test's environment. */
  reason: string;
}

export interface Substitution {
  match: RegExp;
  replace: string;
  /** Why the command is changed. */
  reason: string;
}

export interface Server {
  match: RegExp;
  /** Output that says it is up and serving. */
  ready: RegExp;
  /** How it is stopped (sent to its whole process group, as Ctrl-C does). */
  stop: 'SIGINT' | 'SIGTERM';
  /** Output that says it drained and stopped. It must also exit 0, unless an npm or npx wrapper
   * in front of it was ended by the same signal. */
  stopped: RegExp;
  /** Longest wait for `ready` (a first `npm start` builds). */
  readyTimeoutMs: number;
}

export interface Expectation {
  match: RegExp;
  /** What its output must contain besides a 0 exit. */
  output: RegExp;
}

/** Commands that are shown but not run here. */
export const NOT_RUN: NotRun[] = [
  {
    match: /^npm test\b/,
    reason:
      'this test is part of `npm test` (it would run itself); .ci/run runs `npm test` from a fresh clone',
  },
  {
    match: /^npm install @spantrack\//,
    reason:
      'installs into your own project from the npm registry, where the packages are only after their ' +
      'first release (run here it would change the clone’s package.json); the tarball route next to ' +
      'it is run instead',
  },
];

/** Changes made to a command before it runs, in this order. */
export const SUBSTITUTIONS: Substitution[] = [
  {
    match: /\b(?:127\.0\.0\.1|localhost|collector):4318\b/g,
    replace: '{otlpHttp}',
    reason: 'OTLP/HTTP goes to the collector the test runs, on a free port',
  },
  {
    match: /\b0\.0\.0\.0\b/g,
    replace: '127.0.0.1',
    reason: 'the test listens on 127.0.0.1 only',
  },
  {
    match: /(^|[\s=])\/tmp(?=\/|\s|$)/g,
    replace: '$1{tmp}',
    reason: 'files the commands write go to a fresh folder',
  },
  {
    match: /(^|[\s=])\.data\//g,
    replace: '$1{tmp}/data/',
    reason: "what npm start writes under .data/ goes to the test's fresh folder (SPANTRACK_DATA_DIR)",
  },
  {
    match: /(_WRITE_KEY=)\.\.\.(?=\s|$)/g,
    replace: '$1{writeKey}',
    reason: 'a placeholder write key: the local Segment test server’s',
  },
  {
    match: /(^|\s)app\.cjs(?=\s|$)/g,
    replace: '$1{appCjs}',
    reason: 'your application: a placeholder CommonJS script',
  },
  {
    match: /(^|\s)app\.js(?=\s|$)/g,
    replace: '$1{app}',
    reason: 'your application: a placeholder script',
  },
];

/** Long-running commands: started, waited for, then stopped. */
export const SERVERS: Server[] = [
  {
    match: /^npm start\b(?!.*--once)/,
    ready: /spantrack is serving/,
    stop: 'SIGINT',
    stopped: /stopped: \d+ OTLP requests/,
    readyTimeoutMs: 240_000,
  },
  {
    match: /^(?:npx )?spantrack-collector\b(?!.*(?:--help|-h\b))/,
    ready: /OTLP\/HTTP listening on/,
    stop: 'SIGTERM',
    stopped: /\bstopped\b/,
    readyTimeoutMs: 30_000,
  },
];

/** Output some commands must print, beyond exiting 0. */
export const EXPECTATIONS: Expectation[] = [
  { match: /SPANTRACK_SINK=console node examples\//, output: /"type":"track"/ },
  { match: /^node examples\/quickstart\/index\.mjs/, output: /\d+ spans from one WhatsApp conversation/ },
  { match: /register -e "console\.log\('spantrack is set up'\)"/, output: /spantrack is set up/ },
];
