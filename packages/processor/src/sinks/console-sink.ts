import type { AnalyticsMessage } from '../message';
import type { DeliveryResult, Sink } from './sink';
import { SinkClosedError } from './sink-errors';

export interface ConsoleSinkOptions {
  /** Default `process.stdout`. */
  stream?: NodeJS.WritableStream;
  /** Indented JSON instead of one line per message. Default false. */
  pretty?: boolean;
}

/** Writes each message as JSON to stdout (or a given stream): for local development and demos. */
export class ConsoleSink implements Sink {
  private readonly stream: NodeJS.WritableStream;
  private readonly pretty: boolean;
  private closed = false;

  constructor(options: ConsoleSinkOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.pretty = options.pretty ?? false;
  }

  async send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    if (this.closed) {
      const error = new SinkClosedError();
      return {
        delivered: 0,
        failed: messages.length,
        errors: messages.map((m) => ({ messageId: m.messageId, error })),
      };
    }
    if (messages.length === 0) return { delivered: 0, failed: 0, errors: [] };
    let text = '';
    for (const message of messages) text += `${JSON.stringify(message, null, this.pretty ? 2 : undefined)}\n`;
    this.stream.write(text);
    return { delivered: messages.length, failed: 0, errors: [] };
  }

  async flush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.closed = true;
  }
}
