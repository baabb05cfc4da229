import { once } from 'node:events';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { AnalyticsMessage } from '../message';
import { libraryOption, type SegmentLibrary } from './library';
import { failAll, failWrite, toJsonLines } from './serialize';
import type { DeliveryResult, Sink } from './sink';
import { SinkClosedError } from './sink-errors';

export interface JsonlFileSinkOptions {
  path: string;
  /** Append to an existing file (default) or truncate it. */
  append?: boolean;
  /**
   * `context.library` written into every line: who produced the event. Default
   * `{ name: '@spantrack/processor', version }` (`SPANTRACK_LIBRARY`), as the Segment sink sends.
   */
  library?: SegmentLibrary;
}

/**
 * Appends one JSON line per message to a file. `send` resolves once its lines are handed to the
 * file system (the write callback), and waits for `drain` when the stream's buffer is full, so a
 * fast producer cannot grow memory without bound.
 *
 * Each `send` is one `write` of whole lines to a file opened with `O_APPEND`: several processes
 * (the collector's workers) can append to the same local file without splitting a line.
 */
export class JsonlFileSink implements Sink {
  readonly path: string;
  private readonly stream: WriteStream;
  private readonly library: SegmentLibrary;
  private streamError: Error | undefined;
  private closed = false;

  constructor(options: JsonlFileSinkOptions) {
    this.path = options.path;
    this.library = libraryOption(options.library);
    mkdirSync(dirname(options.path), { recursive: true });
    this.stream = createWriteStream(options.path, { flags: options.append === false ? 'w' : 'a' });
    this.stream.on('error', (error) => {
      this.streamError = error;
    });
  }

  /**
   * Writes one line per message. A message that cannot be serialized (a BigInt, a cycle) fails
   * alone with `InvalidMessageError`; the others are written. Never rejects.
   */
  async send(messages: readonly AnalyticsMessage[]): Promise<DeliveryResult> {
    try {
      if (messages.length === 0) return { delivered: 0, failed: 0, errors: [] };
      const refused = this.closed ? new SinkClosedError() : this.streamError;
      if (refused) return failAll(messages, refused);
      const { text, written, result } = toJsonLines(messages, undefined, this.library);
      if (written.length === 0) return result;
      try {
        let hasRoom = true;
        await new Promise<void>((resolve, reject) => {
          hasRoom = this.stream.write(text, (error) => (error ? reject(error) : resolve()));
        });
        // Backpressure: a full buffer holds the caller until it drains.
        if (!hasRoom && this.stream.writableNeedDrain) await once(this.stream, 'drain');
      } catch (error) {
        return failWrite(result, written, error);
      }
      result.delivered = written.length;
      return result;
    } catch (error) {
      return failAll(messages, error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Resolves once everything written so far has left the stream's buffer. */
  async flush(): Promise<void> {
    if (this.stream.writableNeedDrain) await once(this.stream, 'drain');
  }

  async shutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
  }
}
