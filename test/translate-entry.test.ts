import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * `@spantrack/processor/translate` as a user loads it from the built package: a module hook
 * refuses `@opentelemetry/api` and the SDK packages, so the import fails if the translation entry
 * point pulls in the API or the SDK side (span processor, exporter, sinks) on the way. (The
 * vocabulary's `@opentelemetry/semantic-conventions`, plain constants, is allowed.)
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'spantrack-translate-entry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DENY_HOOK = join(dir, 'deny-opentelemetry.mjs');
/** The API, the SDK and what depends on it: anything of OpenTelemetry but the semantic conventions. */
const DENIED = /[\\/]@opentelemetry[\\/](?!semantic-conventions[\\/])/;
writeFileSync(
  join(dir, 'deny-hooks.mjs'),
  `const DENIED = ${DENIED};
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (DENIED.test(resolved.url)) {
    throw new Error('refused by the test hook: ' + specifier);
  }
  return resolved;
}
`,
);
writeFileSync(
  DENY_HOOK,
  `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(join(dir, 'deny-hooks.mjs')).href)});
`,
);

// One classification span of spantrack's own, translated by whichever entry point is loaded.
const TRANSLATE = (load: string) => `
const { translate } = await ${load};
const span = {
  traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
  spanId: '00f067aa0ba902b7',
  name: 'classify',
  kind: 0,
  startTimeUnixNano: 1704067200000000000n,
  endTimeUnixNano: 1704067200250000000n,
  attributes: {
    'spantrack.interaction.kind': 'classification',
    'spantrack.intent.name': 'refund_status',
    'spantrack.intent.confidence': 0.93,
    'gen_ai.request.model': 'gpt-4o-mini',
    'user.id': 'user-42',
  },
  events: [],
  status: { code: 0 },
  resource: { 'service.name': 'support-bot' },
  scope: { name: '@spantrack/instrumentation' },
};
const result = translate(span, { catalogs: ['ai-agent'] });
console.log(JSON.stringify(result.messages.map((m) => [m.event, m.userId, m.properties])));
`;

async function node(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, { cwd: root, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const EXPECTED = [
  [
    'ai.classification',
    'user-42',
    { detected_intent: 'refund_status', confidence: 0.93, latency_ms: 250, model: 'gpt-4o-mini' },
  ],
];

describe('@spantrack/processor/translate loads the pipeline only', () => {
  it('ESM: translates a span with the OpenTelemetry API and SDK refused', async () => {
    const r = await node([
      '--import',
      DENY_HOOK,
      '--input-type=module',
      '-e',
      TRANSLATE("import('@spantrack/processor/translate')"),
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(EXPECTED);
  });

  it('ESM: the root entry point, under the same hook, is refused (the hook sees the API)', async () => {
    const r = await node([
      '--import',
      DENY_HOOK,
      '--input-type=module',
      '-e',
      TRANSLATE("import('@spantrack/processor')"),
    ]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('refused by the test hook: @opentelemetry/api');
  });

  it('CJS: require loads no @opentelemetry module and no span processor', async () => {
    const code = `${TRANSLATE("Promise.resolve(require('@spantrack/processor/translate'))")}
console.log(JSON.stringify(Object.keys(require.cache)));`;
    const r = await node(['--input-type=commonjs', '-e', `(async () => {${code}})()`]);
    expect(r.code, r.stderr).toBe(0);
    const [messages, loaded] = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    expect(messages).toEqual(EXPECTED);
    const files = (loaded as string[]).map((f) => f.replace(/\\/g, '/'));
    expect(files.filter((f) => DENIED.test(f))).toEqual([]);
    expect(files.some((f) => f.endsWith('/processor/dist/translate.cjs'))).toBe(true);
    expect(files.some((f) => f.endsWith('/processor/dist/index.cjs'))).toBe(false);
  });
});
