import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { describeRun, exportTargets, run } from './helpers/child-process';

/*
 * The five packages as they would be published: `npm pack` and `npm publish --dry-run` of each
 * (files, entry points, the publishing fields of package.json), the changesets config and the
 * release workflow, and the offline route the README documents: the packed tarballs installed
 * into a project outside the clone, then used there (`node --import @spantrack/node/register` and
 * the `spantrack-collector` CLI).
 *
 * Needs the packages built (`npm test` builds them first) and the npm registry for the packages'
 * third-party dependencies.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const PACKAGES = [
  'conventions',
  'instrumentation',
  'instrumentation-ollama',
  'instrumentation-openai',
  'processor',
  'insights',
  'node',
  'collector',
] as const;
type Dir = (typeof PACKAGES)[number];
const REPOSITORY = 'git+https://github.com/spantrack/spantrack.git';

interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  keywords?: string[];
  homepage?: string;
  bugs?: { url?: string };
  repository?: { type?: string; url?: string; directory?: string };
  publishConfig?: { access?: string; provenance?: boolean };
  engines?: { node?: string };
  files?: string[];
  main?: string;
  module?: string;
  types?: string;
  exports?: unknown;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
}

const packageJson = (dir: Dir): PackageJson =>
  JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8'));

interface Packed {
  name: string;
  version: string;
  filename: string;
  files: { path: string }[];
}

let tmp = '';
let tarballs = '';
let consumer = '';
const packed = new Map<Dir, Packed>();
let published: Record<string, Packed> = {};
let publishStderr = '';

beforeAll(async () => {
  for (const dir of PACKAGES) {
    const dist = join(root, 'packages', dir, 'dist', 'index.js');
    if (!existsSync(dist)) {
      throw new Error(`${dist} is missing: build the packages first (npm test does, or npm run build)`);
    }
  }
  tmp = realpathSync(mkdtempSync(join(tmpdir(), 'spantrack-publishing-')));
  tarballs = join(tmp, 'tarballs');
  consumer = join(tmp, 'my-agent');
  mkdirSync(tarballs);
  mkdirSync(consumer);

  const workspaces = PACKAGES.flatMap((dir) => ['-w', `@spantrack/${dir}`]);
  const pack = await run(
    'npm',
    ['pack', ...workspaces, '--pack-destination', tarballs, '--json'],
    root,
    60_000,
  );
  if (pack.code !== 0) throw new Error(describeRun('npm pack', pack));
  for (const entry of JSON.parse(pack.stdout) as Packed[]) {
    packed.set(entry.name.replace('@spantrack/', '') as Dir, entry);
  }

  const publish = await run('npm', ['publish', '--dry-run', '--json', ...workspaces], root, 60_000);
  if (publish.code !== 0) throw new Error(describeRun('npm publish --dry-run', publish));
  published = JSON.parse(publish.stdout) as Record<string, Packed>;
  publishStderr = publish.stderr;

  // The README's offline route: a project outside the clone installs the tarballs.
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'my-agent', version: '1.0.0', private: true, type: 'module' }),
  );
  const install = await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      ...PACKAGES.map((dir) => join(tarballs, packed.get(dir)!.filename)),
      '@opentelemetry/api',
    ],
    consumer,
    150_000,
  );
  if (install.code !== 0) throw new Error(describeRun('npm install (tarballs)', install));
}, 240_000);

// The installed project holds thousands of files: removing them can take a while on a busy disk.
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}, 180_000);

describe('publishing: what npm would publish', () => {
  it.each(PACKAGES)('@spantrack/%s has the fields a published package needs', (dir) => {
    const pkg = packageJson(dir);
    expect(pkg.private).toBeUndefined();
    expect(pkg.name).toBe(`@spantrack/${dir}`);
    expect(pkg.license).toBe('Apache-2.0');
    expect(pkg.engines?.node).toBe('>=20.6.0');
    expect(pkg.publishConfig).toEqual({ access: 'public', provenance: true });
    // Provenance ties the package to the repository folder it is built from.
    expect(pkg.repository).toEqual({ type: 'git', url: REPOSITORY, directory: `packages/${dir}` });
    expect(pkg.homepage).toBe(`https://github.com/spantrack/spantrack/tree/main/packages/${dir}#readme`);
    expect(pkg.bugs?.url).toBe('https://github.com/spantrack/spantrack/issues');
    expect(pkg.keywords?.length).toBeGreaterThan(0);
    // The conventions also ship their tracking plans as JSON files.
    expect(pkg.files).toEqual(
      dir === 'conventions'
        ? ['dist', 'tracking-plans', 'README.md', 'LICENSE']
        : dir === 'collector'
          ? ['bin', 'dist', 'README.md', 'LICENSE']
          : ['dist', 'README.md', 'LICENSE'],
    );
    expect(pkg.types).toBe('./dist/index.d.ts');
  });

  it('the packages share one version, and depend on each other at exactly that version', () => {
    const versions = new Set(PACKAGES.map((dir) => packageJson(dir).version));
    expect(versions.size).toBe(1);
    const [version] = versions;
    for (const dir of PACKAGES) {
      for (const [name, range] of Object.entries(packageJson(dir).dependencies ?? {})) {
        if (name.startsWith('@spantrack/')) expect(range, `${dir} -> ${name}`).toBe(version);
      }
    }
  });

  it.each(PACKAGES)(
    '@spantrack/%s packs dist, README, LICENSE and package.json only, with every entry point',
    (dir) => {
      const pkg = packageJson(dir);
      const files = new Set(packed.get(dir)!.files.map((f) => f.path));
      for (const path of files) {
        // The conventions ship their tracking plans; the collector a committed bin launcher.
        const plan =
          (dir === 'conventions' && /^tracking-plans\/[a-z-]+\.json$/.test(path)) ||
          (dir === 'collector' && path === 'bin/spantrack-collector.js');
        expect(
          ['package.json', 'README.md', 'LICENSE'].includes(path) || path.startsWith('dist/') || plan,
          path,
        ).toBe(true);
        // No tests, sources or build caches; source maps ship (stack traces point into src) but
        // only next to the file they map.
        expect(path, path).not.toMatch(/\.test\.|(^|\/)(src|test)\/|\.tsbuildinfo$/);
        if (path.endsWith('.map')) expect(files.has(path.slice(0, -'.map'.length)), path).toBe(true);
      }
      // A package with a README in the repository ships it (the collector's is being written).
      expect(files.has('README.md')).toBe(existsSync(join(root, 'packages', dir, 'README.md')));
      // Every package carries the repository's license (a copy in its folder, the same text).
      expect(files.has('LICENSE')).toBe(true);
      expect(readFileSync(join(root, 'packages', dir, 'LICENSE'), 'utf8')).toBe(
        readFileSync(join(root, 'LICENSE'), 'utf8'),
      );
      const entryPoints = [
        pkg.main,
        pkg.module,
        pkg.types,
        ...exportTargets(pkg.exports),
        ...Object.values(pkg.bin ?? {}),
      ].filter((p): p is string => typeof p === 'string');
      expect(entryPoints.length).toBeGreaterThan(0);
      for (const entry of entryPoints) {
        // A subpath pattern (`./tracking-plans/*.json`) must match at least one packed file.
        const [head, tail] = entry.replace(/^\.\//, '').split('*');
        const found =
          tail === undefined
            ? files.has(head!)
            : [...files].some((f) => f.startsWith(head!) && f.endsWith(tail));
        expect(found, `${entry} is not in the tarball`).toBe(true);
      }
    },
  );

  it('npm publish --dry-run accepts every package as it is, with public access', () => {
    for (const dir of PACKAGES) {
      const entry = published[`@spantrack/${dir}`];
      expect(entry, `@spantrack/${dir} in npm publish --dry-run`).toBeDefined();
      expect(entry!.version).toBe(packageJson(dir).version);
      // The same files as npm pack.
      expect(entry!.files.map((f) => f.path).sort()).toEqual(
        packed
          .get(dir)!
          .files.map((f) => f.path)
          .sort(),
      );
    }
    expect(publishStderr).toContain('public access (dry-run)');
    // npm corrects a malformed package.json silently at publish time: nothing may need it.
    expect(publishStderr).not.toMatch(/auto-corrected|npm pkg fix/);
  });

  it('the changesets config is valid and groups every package', async () => {
    const config = JSON.parse(readFileSync(join(root, '.changeset', 'config.json'), 'utf8')) as {
      fixed: string[][];
      access: string;
      baseBranch: string;
    };
    expect(config.fixed).toEqual([PACKAGES.map((dir) => `@spantrack/${dir}`)]);
    expect(config.access).toBe('public');
    const status = await run('npx', ['changeset', 'status', '--since=HEAD'], root, 60_000);
    // Either nothing to release, or changed packages waiting for a changeset: both mean the config
    // was read and every package resolved. A bad config fails with another message.
    if (status.code !== 0) {
      expect(`${status.stdout}${status.stderr}`, describeRun('changeset status', status)).toContain(
        'no changesets were found',
      );
    }
  });

  it('the release workflow runs the whole CI, then publishes with changesets and npm provenance', () => {
    const workflow = parseYaml(readFileSync(join(root, '.github', 'workflows', 'release.yml'), 'utf8')) as {
      on: { push: { branches: string[] } };
      permissions: Record<string, string>;
      jobs: Record<
        string,
        {
          steps: {
            run?: string;
            uses?: string;
            with?: Record<string, string>;
            env?: Record<string, string>;
          }[];
        }
      >;
    };
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.permissions['id-token']).toBe('write');
    const steps = workflow.jobs.release!.steps;
    const ci = steps.findIndex((s) => s.run === 'bash .ci/run');
    const release = steps.findIndex((s) => s.uses?.startsWith('changesets/action@'));
    expect(ci).toBeGreaterThan(-1);
    expect(release).toBeGreaterThan(ci);
    expect(steps[release]!.with?.publish).toBe('npx changeset publish');
    expect(steps[release]!.env?.NPM_CONFIG_PROVENANCE).toBe('true');
  });
});

describe('publishing: the offline route (tarballs installed into your project)', () => {
  it('installs copies, not links into the clone', () => {
    for (const dir of [
      'conventions',
      'instrumentation',
      'instrumentation-ollama',
      'instrumentation-openai',
      'processor',
      'node',
      'collector',
    ]) {
      const path = join(consumer, 'node_modules', '@spantrack', dir);
      expect(lstatSync(path).isSymbolicLink(), path).toBe(false);
      expect(realpathSync(path).startsWith(consumer), path).toBe(true);
    }
  });

  it('node --import @spantrack/node/register: the app classifies and the ai.classification event is written', async () => {
    const app = `import { AgentTracker } from '@spantrack/instrumentation';
const tracker = new AgentTracker({ agentName: 'my-agent', channel: 'whatsapp' });
tracker.withContext({ userId: '+254712345678' }, () =>
  tracker.classify({ model: 'llama3.2:3b' }, (h) => {
    h.setUsage({ inputTokens: 120, outputTokens: 15 });
    return { intent: 'nil_filing', confidence: 0.99 };
  }),
);
console.log('classified');
`;
    writeFileSync(join(consumer, 'app.mjs'), app);
    const events = join(tmp, 'events.jsonl');
    const r = await run(
      process.execPath,
      ['--import', '@spantrack/node/register', 'app.mjs'],
      consumer,
      30_000,
      { OTEL_TRACES_EXPORTER: 'none', SPANTRACK_SINK: 'jsonl', SPANTRACK_JSONL_PATH: events },
    );
    expect(r.code, describeRun('node app.mjs', r)).toBe(0);
    expect(r.stdout).toContain('classified');
    const lines = readFileSync(events, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      type: 'track',
      event: 'ai.classification',
      userId: '+254712345678',
      properties: {
        detected_intent: 'nil_filing',
        confidence: 0.99,
        prompt_tokens: 120,
        completion_tokens: 15,
      },
    });
  });

  it.each([
    ['ESM', 'import', '--input-type=module'],
    ['CJS', 'require', '--input-type=commonjs'],
  ])(
    '%s: the client instrumentations load their shared model-call code from the installed @spantrack/instrumentation',
    async (_kind, how, inputType) => {
      const load = (name: string) => (how === 'import' ? `await import('${name}')` : `require('${name}')`);
      const code = `(async () => {
  const { OllamaInstrumentation } = ${load('@spantrack/instrumentation-ollama')};
  const { OpenAIInstrumentation } = ${load('@spantrack/instrumentation-openai')};
  const { createGenAiClientHistograms } = ${load('@spantrack/instrumentation/model-call')};
  const names = [new OllamaInstrumentation(), new OpenAIInstrumentation()].map((i) => i.instrumentationName);
  console.log(JSON.stringify({ names, shared: typeof createGenAiClientHistograms }));
})();`;
      const r = await run(process.execPath, [inputType, '-e', code], consumer, 30_000);
      expect(r.code, describeRun('node -e', r)).toBe(0);
      expect(JSON.parse(r.stdout.trim())).toEqual({
        names: ['@spantrack/instrumentation-ollama', '@spantrack/instrumentation-openai'],
        shared: 'function',
      });
      // One copy, the one installed from its tarball: not a nested one under each client package.
      for (const client of ['instrumentation-ollama', 'instrumentation-openai']) {
        expect(
          existsSync(join(consumer, 'node_modules', '@spantrack', client, 'node_modules', '@spantrack')),
        ).toBe(false);
      }
    },
  );

  it('npx spantrack-collector runs from the installed package', async () => {
    const r = await run('npx', ['--no-install', 'spantrack-collector', '--help'], consumer, 30_000);
    expect(r.code, describeRun('npx spantrack-collector --help', r)).toBe(0);
    expect(r.stdout).toContain('Usage: spantrack-collector');
  });
});
