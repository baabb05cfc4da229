import type { LogEvent } from './log-event';

export type LogFormat = 'text' | 'json';

/** Where the CLI's lines go; streams are injectable so the format can be tested without a process. */
export interface LoggerOutput {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const NAME = 'spantrack-collector';

/**
 * The CLI's output. Text: `spantrack-collector: <line>` on stderr (the startup line on stdout,
 * where scripts read the URLs). JSON: one object per line on stderr, `time`, `level` and `msg`
 * first, then the event's fields. Level `warn` keeps warnings and errors only, `none` errors only.
 * A worker of `--workers N` logs as `spantrack-collector[worker 2]: <line>`, and `"worker": 2` in JSON.
 */
export class CliLogger {
  constructor(
    private readonly format: LogFormat,
    private readonly level: 'info' | 'warn' | 'none',
    private readonly out: LoggerOutput = {
      stdout: (text) => process.stdout.write(text),
      stderr: (text) => process.stderr.write(text),
    },
    private readonly worker?: number,
  ) {}

  /** Logs `event`; `line` is its text form. `toStdout` puts the text form on stdout. */
  write(line: string, event: LogEvent, toStdout = false): void {
    if (this.level !== 'info' && event.level === 'info') return;
    if (this.level === 'none' && event.level === 'warn') return;
    if (this.format === 'json') {
      const { level, msg, ...fields } = event;
      const who = this.worker === undefined ? {} : { worker: this.worker };
      this.out.stderr(
        `${JSON.stringify({ time: new Date().toISOString(), level, msg, ...who, ...fields })}\n`,
      );
      return;
    }
    const name = this.worker === undefined ? NAME : `${NAME}[worker ${this.worker}]`;
    (toStdout ? this.out.stdout : this.out.stderr)(`${name}: ${line}\n`);
  }
}
