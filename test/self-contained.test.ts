import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The repository must work from a fresh clone and speak of the project only: no file reads or names
// a path outside it, and none names the tracking plans by the reference material's numbering.
const root = fileURLToPath(new URL('..', import.meta.url));

// Assembled from pieces so that this file does not match its own patterns.
const SHARED = ['shared', 'seeds'].join('/');
const FORBIDDEN: [RegExp, string][] = [
  [new RegExp(`\\.\\./${'shared'}\\b`), 'a path outside the repository'],
  [new RegExp(`${SHARED}\\b`), 'the reference documents outside the repository'],
  [new RegExp(`(^|[^\\w.-])/${'work'}/`), 'an absolute path of the machine it was written on'],
  [
    new RegExp(`(^|[\\s'"\`(=:])(/${'home'}/[A-Za-z0-9._-]+/|/${'Users'}/[A-Za-z0-9._-]+/|/${'root'}/)`),
    'an absolute home path',
  ],
  [new RegExp(`\\b${'seed'}s? 0\\d\\d\\b`, 'i'), 'a tracking plan named by number instead of by what it is'],
  [new RegExp(`\\b${'DESIGN'} section\\b`), 'a section of a document outside the repository'],
  [new RegExp(`\\b${'DESIGN'}\\.md\\b`), 'a document outside the repository'],
];

/** Every file git knows or would add (tracked, plus untracked and not ignored). */
function repositoryFiles(): string[] {
  return execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  })
    .split('\0')
    .filter((f) => f !== '' && !f.endsWith('package-lock.json'));
}

/** `file:line: text — why` for each forbidden mention in one file's text. */
function findForbidden(file: string, text: string): string[] {
  const found: string[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    for (const [pattern, why] of FORBIDDEN) {
      if (pattern.test(lines[i]!)) found.push(`${file}:${i + 1}: ${lines[i]!.trim().slice(0, 120)} (${why})`);
    }
  }
  return found;
}

describe('the repository is self-contained', () => {
  it('recognises each forbidden kind of mention, and not the harmless look-alikes', () => {
    const bad = [
      `readFileSync('../../${'shared'}/x.txt')`,
      `see ${SHARED}/000.txt`,
      `cd /${'work'}/main`,
      `open("/${'home'}/alice/notes")`,
      `the ${'seed'} 004 example`,
      `${'DESIGN'} section 3`,
      `read ${'DESIGN'}.md`,
    ];
    for (const line of bad) expect(findForbidden('f', line), line).toHaveLength(1);
    const fine = [
      'a seed for the RNG is 42',
      'the AI agent tracking plan',
      'src/shared/util.ts',
      'network/homework/',
    ];
    for (const line of fine) expect(findForbidden('f', line), line).toEqual([]);
  });

  it('no file reads or names a path outside the repository or a plan by number', () => {
    const problems: string[] = [];
    const files = repositoryFiles();
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      let buffer: Buffer;
      try {
        buffer = readFileSync(join(root, file));
      } catch {
        continue; // deleted in the work tree, not yet committed
      }
      if (buffer.includes(0)) continue; // binary
      problems.push(...findForbidden(file, buffer.toString('utf8')));
    }
    expect(problems, `\n${problems.join('\n')}\n`).toEqual([]);
  });
});
