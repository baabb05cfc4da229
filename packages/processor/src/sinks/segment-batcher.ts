import { SEGMENT_MAX_MESSAGE_BYTES } from './segment-payload';

/** Events serialized once, and the items they stand for, in one request body. */
export interface SegmentBatch<T> {
  /** Each event's JSON; emptied once the body is built. */
  parts: string[];
  items: T[];
  /** Bytes of the events plus the commas between them. */
  eventBytes: number;
}

const ENVELOPE_PREFIX = '{"batch":[';
const SENT_AT_JSON_BYTES = Buffer.byteLength(JSON.stringify(new Date(0)));

/**
 * Size-capped batching: fills one open batch with serialized events until the next one would take
 * the request body (envelope included) over `maxRequestBytes` or the batch past `maxBatchMessages`.
 * Each event is at most 32 KB (checked before it gets here). No timers: the publisher decides when
 * a partial batch goes.
 */
export class SegmentBatcher<T> {
  private current: SegmentBatch<T> | undefined;
  private readonly envelopeMiddle: string;
  private readonly envelopeBytes: number;

  constructor(
    writeKey: string,
    private readonly maxRequestBytes: number,
    private readonly maxBatchMessages: number,
  ) {
    this.envelopeMiddle = `],"writeKey":${JSON.stringify(writeKey)},"sentAt":`;
    this.envelopeBytes =
      Buffer.byteLength(ENVELOPE_PREFIX) + Buffer.byteLength(this.envelopeMiddle) + SENT_AT_JSON_BYTES + 1;
    if (this.envelopeBytes + SEGMENT_MAX_MESSAGE_BYTES > maxRequestBytes) {
      throw new TypeError('SegmentPublisher: maxRequestBytes must leave room for one 32 KB message');
    }
  }

  /** True while a batch is open (the publisher runs its flush timer meanwhile). */
  get hasOpenBatch(): boolean {
    return this.current !== undefined;
  }

  /**
   * Adds one event. Returns the batch it closed to make room, if any; `opened` tells the caller a
   * new batch was started (to start its flush timer).
   */
  add(json: string, bytes: number, item: T): { closed?: SegmentBatch<T>; opened: boolean } {
    let closed: SegmentBatch<T> | undefined;
    const open = this.current;
    if (open) {
      const next = this.envelopeBytes + open.eventBytes + bytes + 1;
      if (next > this.maxRequestBytes || open.items.length >= this.maxBatchMessages) closed = this.seal();
    }
    let opened = false;
    if (!this.current) {
      this.current = { parts: [], items: [], eventBytes: 0 };
      opened = true;
    }
    const batch = this.current;
    batch.eventBytes += batch.parts.length ? bytes + 1 : bytes;
    batch.parts.push(json);
    batch.items.push(item);
    return closed ? { closed, opened } : { opened };
  }

  /** Closes the open batch and returns it (undefined when none or empty). */
  seal(): SegmentBatch<T> | undefined {
    const batch = this.current;
    this.current = undefined;
    return batch && batch.items.length > 0 ? batch : undefined;
  }

  /** The events of a batch joined once; the parts are released. */
  static join<T>(batch: SegmentBatch<T>): string {
    const inner = batch.parts.join(',');
    batch.parts = [];
    return inner;
  }

  /** `{"batch":[...],"writeKey":"...","sentAt":"..."}`, what analytics-node 3.1 sends; `sentAt` per attempt. */
  body(inner: string, sentAt: Date): string {
    return `${ENVELOPE_PREFIX}${inner}${this.envelopeMiddle}${JSON.stringify(sentAt)}}`;
  }
}
