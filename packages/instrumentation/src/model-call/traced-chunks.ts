/** How a streamed model call ends: with what the chunks added up to, or with the stream's error. */
export interface StreamEnd {
  succeed(): void;
  fail(error: unknown): void;
}

/**
 * The chunks of a streamed answer, passed through as they come, each shown to `onChunk` first.
 * The call ends when the stream does: success after its last chunk or when the caller stops
 * early (a `break`), failure when it throws (the error still reaches the caller).
 */
export async function* tracedChunks<C>(
  iterate: () => AsyncIterator<C>,
  onChunk: (chunk: C) => void,
  end: StreamEnd,
): AsyncGenerator<C> {
  let failed = false;
  try {
    for await (const chunk of { [Symbol.asyncIterator]: iterate }) {
      onChunk(chunk);
      yield chunk;
    }
  } catch (error) {
    failed = true;
    end.fail(error);
    throw error;
  } finally {
    if (!failed) end.succeed();
  }
}
