import { readFileSync } from 'node:fs';

/** One command of a documented shell block. */
export interface DocumentedCommand {
  /** The file, relative to the repository root. */
  file: string;
  /** The 1-based line the command starts on. */
  line: number;
  /** Which block of the file it is in (0-based): a `cd` lasts until the end of its block. */
  block: number;
  /** The command as a user would type it: continuations joined, trailing comment removed. */
  text: string;
}

const OPENING = /^```(?:sh|bash|shell)\s*$/;
const CLOSING = /^```\s*$/;

/**
 * The commands of every ```sh / ```bash / ```shell block of a Markdown file, in order. Comment
 * lines and blank lines are skipped; `\` continuations are joined; a leading `$ ` prompt is dropped.
 */
export function shellCommands(root: string, file: string): DocumentedCommand[] {
  const lines = readFileSync(`${root}/${file}`, 'utf8').split('\n');
  const commands: DocumentedCommand[] = [];
  let inBlock = false;
  let block = -1;
  let pending: { line: number; text: string } | undefined;
  for (const [i, raw] of lines.entries()) {
    if (!inBlock) {
      inBlock = OPENING.test(raw.trim());
      if (inBlock) block++;
      continue;
    }
    if (CLOSING.test(raw.trim())) {
      inBlock = false;
      if (pending) commands.push({ file, block, ...pending });
      pending = undefined;
      continue;
    }
    const line = withoutComment(raw).trim().replace(/^\$ /, '');
    if (line === '' && !pending) continue;
    const continued = line.endsWith('\\');
    const part = continued ? line.slice(0, -1).trim() : line;
    pending = pending
      ? { line: pending.line, text: `${pending.text} ${part}`.trim() }
      : { line: i + 1, text: part };
    if (!continued) {
      commands.push({ file, block, ...pending });
      pending = undefined;
    }
  }
  return commands;
}

/** The line without a `# comment` that starts outside quotes after whitespace (or at the start). */
function withoutComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') i++;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === '\\') {
      i++;
    } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
      return line.slice(0, i);
    }
  }
  return line;
}
