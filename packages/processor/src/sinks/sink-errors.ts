/** Base class of every error a sink reports for a message; `messageId` names the message. */
export class SinkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The message, serialized as the destination will receive it, is over the per-message limit. Never sent. */
export class MessageTooLargeError extends SinkError {
  constructor(
    readonly messageId: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`message ${messageId} is ${bytes} bytes serialized, over the ${limit}-byte limit; not sent`);
  }
}

/** The message cannot be sent as it is (bad messageId, no userId/anonymousId, ...). Never sent. */
export class InvalidMessageError extends SinkError {
  constructor(
    readonly messageId: string,
    readonly reason: string,
  ) {
    super(`message ${messageId || '(no messageId)'} is invalid: ${reason}`);
  }
}

/** `send` after `shutdown`, or a message still pending when `shutdown`'s deadline passed. */
export class SinkClosedError extends SinkError {
  constructor(message = 'sink is shut down') {
    super(message);
  }
}

/** The destination refused the message or retries ran out. `status` is the last HTTP status, if any. */
export class DeliveryError extends SinkError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
