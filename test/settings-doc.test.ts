import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SHARED_SETTINGS } from '@spantrack/processor';
import { afterAll, describe, expect, it } from 'vitest';

/*
 * docs/configuration.md carries the table of shared settings generated from the table both
 * programs read: a row changed in code and not regenerated fails here.
 */

const root = fileURLToPath(new URL('..', import.meta.url));
const script = join(root, 'scripts', 'generate-settings-doc.mjs');
const docs = join(root, 'docs', 'configuration.md');
const tmp = mkdtempSync(join(tmpdir(), 'spantrack-settings-doc-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const check = (file: string) =>
  spawnSync(process.execPath, [script, '--check', '--docs', file], { cwd: root, encoding: 'utf8' });

describe('the table of shared settings in docs/configuration.md', () => {
  it('is up to date (else: node scripts/generate-settings-doc.mjs)', () => {
    const run = check(docs);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('has one row per shared setting, naming its variable and flag', () => {
    const text = readFileSync(docs, 'utf8');
    for (const s of Object.values(SHARED_SETTINGS)) {
      const row = text
        .split('\n')
        .find(
          (l) =>
            l.startsWith(`| ${s.option === undefined ? '—' : `\`${s.option}\``} |`) &&
            (s.env === undefined || l.includes(`\`${s.env}\``)),
        );
      expect(row, s.option ?? s.env).toBeDefined();
      if (s.flag !== undefined) expect(row).toContain(`\`--${s.flag}`);
    }
  });

  it('--check fails on a stale copy and names it; the generator then rewrites it to match', () => {
    const stale = join(tmp, 'configuration.md');
    writeFileSync(stale, readFileSync(docs, 'utf8').replace('`SPANTRACK_SINK`', '`SPANTRACK_SINKS`'));
    const run = check(stale);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('the table of shared settings is stale');
    execFileSync(process.execPath, [script, '--docs', stale], { cwd: root });
    expect(readFileSync(stale, 'utf8')).toBe(readFileSync(docs, 'utf8'));
  });
});
