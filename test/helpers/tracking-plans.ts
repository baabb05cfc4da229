import { readFileSync } from 'node:fs';
import { validateMessage } from '@spantrack/conventions';

/**
 * Throws when any message breaks the built-in tracking plans: for messages a test reads back from
 * where a child process delivered them (JSONL files), which the in-process checks cannot see.
 */
export function assertTrackingPlans(messages: readonly unknown[], source: string): void {
  const problems: string[] = [];
  messages.forEach((m, i) => {
    for (const e of validateMessage(m).errors) {
      problems.push(`${source}[${i}] ${JSON.stringify(e.event)}: ${e.path || '(message)'} ${e.message}`);
    }
  });
  if (problems.length > 0) {
    throw new Error(
      `${problems.length} message(s) break the tracking plans:\n  ${problems.slice(0, 20).join('\n  ')}`,
    );
  }
}

/** The messages of a JSONL file (one per line), after checking them against the tracking plans. */
export function readValidatedJsonl<T = Record<string, unknown>>(path: string): T[] {
  const messages = readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as T);
  assertTrackingPlans(messages, path);
  return messages;
}
