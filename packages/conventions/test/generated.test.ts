import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/generate-tracking-plans.mjs', import.meta.url));

describe('files generated from the tracking plans', () => {
  it('are current (else run `npm run generate` and commit)', () => {
    // Exits 1 and names the stale file when src/generated/tracking-plans.ts or the tables of
    // docs/tracking-plans.md differ from what the plan files give.
    const run = () =>
      execFileSync(process.execPath, [script, '--check'], { encoding: 'utf8', stdio: 'pipe' });
    expect(run).not.toThrow();
  });

  it('the check fails on a stale table', async () => {
    const { loadPlans, renderDocs, spliceDocs, START, END } = await import(
      '../scripts/generate-tracking-plans.mjs'
    );
    const plans = loadPlans();
    const page = `intro\n${START}\nold table\n${END}\n`;
    const fresh = spliceDocs(page, renderDocs(plans));
    expect(fresh).toContain('### `ai.classification`');
    expect(fresh).not.toContain('old table');
    plans[0]!.rules.events![0]!.name = 'ai.classified';
    expect(spliceDocs(page, renderDocs(plans))).not.toBe(fresh);
    expect(() => spliceDocs('no markers', '')).toThrow(/markers/);
  });
});
