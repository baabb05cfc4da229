import type { AnalyticsMessage } from '../message';
import { libraryOption, type SegmentLibrary } from './library';
import { failAll, failWrite, toJsonLines } from './serialize';
import type { DeliveryResult, Sink } from './sink';
import { SinkClosedError } from './sink-errors';

export interface ConsoleSinkOptions {
  /** Default `process.stdout`. */
  stream?: NodeJS.WritableStream;
  /** Indented JSON instead of one line per message. Default false. */
  pretty?: boolean;
  /**
   * `context.library` written into every line: who produced the event. Default
   * `{ name: '@spantrack/processor', version }` (`SPANTRACK_LIBRARY`), as the Segment sink sends.
   */
  library?: SegmentLibrary;
}

/** Writes each message as JSON to stdout (or a given stream): for local development and demos. */
export class ConsoleSink implements Sink {
  private readonly stream: NodeJS.WritableStream;
  private readonly pretty: boolean;
  private readonly library: SegmentLibrary;
  private closed = false;

  constructor(options: ConsoleSinkOptions = {}) {
    this.stream = options.stream ?? process.stdout;
    this.pretty = options.pretty ?? false;
    this.library = libraryOption(options.library);
  }

  /** A message that cannot be serialized (a BigInt, a cycle) fails alone. Never rejects. */
  async send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    if (this.closed) return failAll(messages, new SinkClosedError());
    if (messages.length === 0) return { delivered: 0, failed: 0, errors: [] };
    const { text, written, result } = toJsonLines(messages, this.pretty ? 2 : undefined, this.library);
    if (written.length === 0) return result;
    try {
      this.stream.write(text);
    } catch (error) {
      return failWrite(result, written, error);
    }
    result.delivered = written.length;
    return result;
  }

  async flush(): Promise<void> {}

  async shutdown(): Promise<void> {
    this.closed = true;
  }
}
