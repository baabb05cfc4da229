import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ResolvedConfig as CollectorConfig,
  cliEnvironment,
  resolveConfig as resolveCollector,
  resolveOutputSettings,
  type SinkConfig,
} from '@spantrack/collector';
import {
  ENV as NODE_ENV,
  type ResolvedConfig as NodeConfig,
  resolveConfig as resolveNode,
} from '@spantrack/node';
import {
  SHARED_SETTINGS,
  type SharedSetting,
  type SharedSettingId,
  SpantrackConfigError,
} from '@spantrack/processor';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * Every shared setting, walked through both programs: @spantrack/node's resolver and the
 * collector's (its options, its environment, and its command line as the CLI turns it into that
 * environment). The same option path, variable and flag must give the same value in both.
 */

type Env = Record<string, string>;

const tmp = mkdtempSync(join(tmpdir(), 'spantrack-settings-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const PRICES_FILE = join(tmp, 'prices.json');
writeFileSync(PRICES_FILE, JSON.stringify({ 'house-model': { input: 1, output: 2 } }));
const JSONL_FILE = join(tmp, 'events.jsonl');
const redact = (value: string) => value.toUpperCase();

interface Case {
  /** The text of the variable (and of the flag: a boolean flag is given without it). */
  raw: string;
  /** The value given as an option, when the setting has one. */
  option?: unknown;
  /** What both programs resolve it to. */
  expected: unknown;
  /** Other settings the case needs (a write key for the Segment host...). */
  context?: Env;
  /** A value both must refuse, naming the variable. */
  bad?: string;
  node(config: NodeConfig): unknown;
  collector(config: CollectorConfig, env: Env): unknown;
}

const segmentSink = (c: CollectorConfig) => c.sink as Extract<SinkConfig, { type: 'segment' }>;

const CASES: Record<SharedSettingId, Case> = {
  sink: {
    raw: 'jsonl',
    option: 'jsonl',
    expected: 'jsonl',
    context: { SPANTRACK_JSONL_PATH: JSONL_FILE },
    bad: 'kafka',
    node: (c) => c.sink,
    collector: (c) => (c.sink as SinkConfig).type,
  },
  segmentWriteKey: {
    raw: 'wk-1',
    option: 'wk-1',
    expected: 'wk-1',
    node: (c) => c.segment.writeKey,
    collector: (c) => segmentSink(c).writeKey,
  },
  segmentHost: {
    raw: 'http://127.0.0.1:9',
    option: 'http://127.0.0.1:9',
    expected: 'http://127.0.0.1:9',
    context: { SPANTRACK_SEGMENT_WRITE_KEY: 'wk' },
    bad: 'api.segment.io',
    node: (c) => c.segment.host,
    collector: (c) => segmentSink(c).host,
  },
  segmentPath: {
    raw: '/v1/b',
    option: '/v1/b',
    expected: '/v1/b',
    context: { SPANTRACK_SEGMENT_WRITE_KEY: 'wk' },
    node: (c) => c.segment.path,
    collector: (c) => segmentSink(c).path,
  },
  jsonlPath: {
    raw: JSONL_FILE,
    option: JSONL_FILE,
    expected: JSONL_FILE,
    context: { SPANTRACK_SINK: 'jsonl' },
    node: (c) => c.jsonlPath,
    collector: (c) => (c.sink as Extract<SinkConfig, { type: 'jsonl' }>).path,
  },
  store: {
    raw: ':memory:',
    option: ':memory:',
    expected: ':memory:',
    node: (c) => c.store,
    collector: (c) => c.store,
  },
  catalogs: {
    raw: 'ai-agent, customer-signals',
    option: ['ai-agent', 'customer-signals'],
    expected: ['ai-agent', 'customer-signals'],
    bad: 'ai_agent',
    node: (c) => c.catalogs,
    collector: (c) => c.translator.catalogs,
  },
  captureContent: {
    raw: 'true',
    option: true,
    expected: true,
    bad: 'maybe',
    node: (c) => c.privacy.captureContent,
    collector: (c) => c.translator.privacy?.captureContent,
  },
  pseudonymizeSecret: {
    raw: 's3cret',
    option: 's3cret',
    expected: { secret: 's3cret' },
    node: (c) => c.privacy.pseudonymizeUserIds,
    collector: (c) => c.translator.privacy?.pseudonymizeUserIds,
  },
  maxEventBytes: {
    raw: '2048',
    option: 2048,
    expected: 2048,
    bad: '12',
    node: (c) => c.privacy.maxEventBytes,
    collector: (c) => c.translator.privacy?.maxEventBytes,
  },
  redact: {
    raw: '',
    option: redact,
    expected: redact,
    node: (c) => c.privacy.redact,
    collector: (c) => c.translator.privacy?.redact,
  },
  prices: {
    raw: PRICES_FILE,
    option: PRICES_FILE,
    expected: { 'house-model': { input: 1, output: 2 } },
    bad: join(tmp, 'missing.json'),
    node: (c) => c.prices,
    collector: (c) => c.translator.prices,
  },
  logLevel: {
    raw: 'none',
    option: 'none',
    expected: 'none',
    bad: 'debug',
    node: (c) => c.logLevel,
    collector: (c) => c.logLevel,
  },
  quiet: {
    raw: 'true',
    expected: 'warn',
    bad: 'sometimes',
    node: (c) => c.logLevel,
    collector: (c) => c.logLevel,
  },
  shutdownTimeoutMillis: {
    raw: '1234',
    option: 1234,
    expected: 1234,
    bad: '0',
    node: (c) => c.shutdownTimeoutMillis,
    collector: (c) => c.shutdownTimeoutMs,
  },
};

const settings = Object.entries(SHARED_SETTINGS) as [SharedSettingId, SharedSetting][];

/** `{ a: { b: value } }` for `a.b`. */
function optionsAt(path: string, value: unknown): Record<string, unknown> {
  const keys = path.split('.');
  const out: Record<string, unknown> = {};
  let at = out;
  for (const key of keys.slice(0, -1)) {
    at[key] = {};
    at = at[key] as Record<string, unknown>;
  }
  at[keys.at(-1)!] = value;
  return out;
}

/** `privacy.pseudonymizeUserIds.secret` is given as the object the option takes. */
function optionFor(setting: SharedSetting, value: unknown): Record<string, unknown> {
  if (setting.option === 'privacy.pseudonymizeUserIds.secret')
    return optionsAt('privacy.pseudonymizeUserIds', { secret: value });
  return optionsAt(setting.option!, value);
}

const nodeFrom = (env: Env, options: Record<string, unknown> = {}) =>
  // The register entry: its default log level (`info`) is what SPANTRACK_QUIET changes.
  resolveNode(options as never, env, 'register');
const collectorFrom = (env: Env, options: Record<string, unknown> = {}) =>
  resolveCollector({ ...options, env } as never);

function configError(fn: () => unknown): SpantrackConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SpantrackConfigError);
    return error as SpantrackConfigError;
  }
  throw new Error('expected a SpantrackConfigError');
}

describe('the table of shared settings', () => {
  it('has a case here for every row (a new row needs one)', () => {
    expect(Object.keys(CASES).sort()).toEqual(Object.keys(SHARED_SETTINGS).sort());
  });

  it('names every variable SPANTRACK_<NAME> and every flag after it; @spantrack/node reads those names', () => {
    const nodeNames = new Set<string>(Object.values(NODE_ENV));
    for (const [, s] of settings) {
      if (s.env === undefined) continue;
      expect(s.env).toMatch(/^SPANTRACK_[A-Z_]+$/);
      expect(s.env.startsWith('SPANTRACK_COLLECTOR_')).toBe(false);
      expect(s.flag).toBe(s.env.slice('SPANTRACK_'.length).toLowerCase().replaceAll('_', '-'));
      expect(nodeNames.has(s.env)).toBe(true);
      for (const old of s.deprecatedEnv) expect(nodeNames.has(old)).toBe(false);
    }
  });
});

describe.each(settings)('%s', (id, setting) => {
  const c = CASES[id];
  const context = c.context ?? {};

  if (setting.env !== undefined)
    it('the variable means the same in @spantrack/node and the collector', () => {
      const env = { ...context, [setting.env!]: c.raw };
      expect(c.node(nodeFrom(env))).toEqual(c.expected);
      expect(c.collector(collectorFrom(env), env)).toEqual(c.expected);
    });

  if (setting.flag !== undefined)
    it('the collector flag sets that variable, with that meaning', () => {
      const argv = setting.flagType === 'boolean' ? [`--${setting.flag}`] : [`--${setting.flag}`, c.raw];
      const { env } = cliEnvironment(argv, context, () => {});
      expect(env[setting.env!]).toBe(setting.flagType === 'boolean' ? 'true' : c.raw);
      const resolved = env as Env;
      expect(c.collector(collectorFrom(resolved), resolved)).toEqual(c.expected);
    });

  if (setting.option !== undefined && c.option !== undefined)
    it('the option has the same path and meaning in both', () => {
      const given = optionFor(setting, c.option);
      const options = id === 'sink' ? { ...given, jsonlPath: JSONL_FILE } : given;
      expect(c.node(nodeFrom(context, options))).toEqual(c.expected);
      expect(c.collector(collectorFrom(context, options), context)).toEqual(c.expected);
    });

  if (c.bad !== undefined)
    it('a bad value is refused by both, naming the variable', () => {
      const env = { ...context, [setting.env!]: c.bad! };
      expect(configError(() => nodeFrom(env)).option).toBe(setting.env);
      const collect = () => {
        const config = collectorFrom(env);
        c.collector(config, env);
      };
      expect(configError(collect).option).toBe(setting.env);
    });

  if (setting.standardEnv !== undefined)
    it('the standard variable is read by both, after the SPANTRACK_ one', () => {
      const env = { ...context, [setting.standardEnv!]: c.raw };
      expect(c.node(nodeFrom(env))).toEqual(c.expected);
      expect(c.collector(collectorFrom(env), env)).toEqual(c.expected);
      const both = { ...env, [setting.env!]: 'false' };
      expect(c.node(nodeFrom(both))).toBe(false);
      expect(c.collector(collectorFrom(both), both)).toBe(false);
    });

  if (setting.deprecatedEnv.length > 0)
    it('the collector still reads its old spelling, with one warning naming the new one', () => {
      for (const old of setting.deprecatedEnv) {
        const env = { ...context, [old]: c.raw };
        const said: string[] = [];
        const first = collectorFrom(env);
        expect(c.collector(first, env)).toEqual(c.expected);
        said.push(...first.warnings, ...collectorFrom(env).warnings);
        expect(said.filter((w) => w.startsWith(`${old} `))).toEqual([
          `${old} is deprecated: use ${setting.env} (or --${setting.flag}), which @spantrack/node reads too`,
        ]);
      }
    });
});

describe('the log level', () => {
  it.each([
    [{ SPANTRACK_LOG_LEVEL: 'none' }, 'none'],
    [{ SPANTRACK_QUIET: 'true' }, 'warn'],
    [{ SPANTRACK_LOG_LEVEL: 'info', SPANTRACK_QUIET: 'true' }, 'info'],
    [{}, 'info'],
  ] as const)('%j: the CLI prints what the collector logs (%s)', (env, level) => {
    expect(resolveOutputSettings(env).logLevel).toBe(level);
    expect(collectorFrom(env).logLevel).toBe(level);
  });
});

describe('deprecated spellings', () => {
  it('sink null means none in both, with one warning each', () => {
    const nodeWarnings = [
      ...nodeFrom({}, { sink: 'null' }).warnings,
      ...nodeFrom({}, { sink: 'null' }).warnings,
    ];
    expect(nodeWarnings).toEqual(['sink: "null" is deprecated; use "none"']);
    expect(nodeFrom({ SPANTRACK_SINK: 'null' }).sink).toBe('none');
    const collector = collectorFrom({ SPANTRACK_SINK: 'null' });
    expect((collector.sink as SinkConfig).type).toBe('none');
    const warned: string[] = [];
    const { env } = cliEnvironment(['--sink', 'null'], {}, (w) => warned.push(w));
    expect(env.SPANTRACK_SINK).toBe('none');
    expect(warned).toEqual(['--sink / SPANTRACK_SINK: "null" is deprecated; use "none"']);
  });

  it('--shutdown-timeout-ms sets --shutdown-timeout-millis, with one warning; the new flag wins', () => {
    const warned: string[] = [];
    const { env } = cliEnvironment(['--shutdown-timeout-ms', '700'], {}, (w) => warned.push(w));
    expect(collectorFrom(env as Env).shutdownTimeoutMs).toBe(700);
    expect(warned).toEqual(['--shutdown-timeout-ms is deprecated: use --shutdown-timeout-millis']);
    const both = cliEnvironment(
      ['--shutdown-timeout-ms', '700', '--shutdown-timeout-millis', '900'],
      {},
      () => {},
    ).env;
    expect(collectorFrom(both as Env).shutdownTimeoutMs).toBe(900);
  });

  it('old boolean spellings keep the values the collector took (1 / yes / 0 / no)', () => {
    const { env } = cliEnvironment([], { SPANTRACK_COLLECTOR_CAPTURE_CONTENT: 'yes' }, () => {});
    expect(env.SPANTRACK_CAPTURE_CONTENT).toBe('true');
    expect(collectorFrom(env as Env).translator.privacy?.captureContent).toBe(true);
    expect(
      collectorFrom({ SPANTRACK_COLLECTOR_CAPTURE_CONTENT: '0' }).translator.privacy?.captureContent,
    ).toBe(false);
  });

  it('a new name set beside an old spelling wins, and the old one is not warned about', () => {
    const warned: string[] = [];
    const { env } = cliEnvironment(
      [],
      { SPANTRACK_CATALOGS: 'ai-agent', SPANTRACK_COLLECTOR_CATALOGS: 'segment-copilot' },
      (w) => warned.push(w),
    );
    expect(collectorFrom(env as Env).translator.catalogs).toEqual(['ai-agent']);
    expect(warned).toEqual([]);
  });
});
