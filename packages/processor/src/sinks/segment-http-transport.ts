import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/** One POST of a batch, as the publisher builds it. */
export interface SegmentHttpRequest {
  url: URL;
  headers: Record<string, string>;
  body: string | Buffer;
  /** Aborted at the attempt's timeout or at shutdown; the transport should then stop and reject. */
  signal: AbortSignal;
}

/** What the publisher needs of an answer. */
export interface SegmentHttpResponse {
  status: number;
  /** The `Retry-After` header, as sent. */
  retryAfter?: string;
  /** The start of the body of an error answer (for the error message); may be empty. */
  text: string;
}

/**
 * How the publisher's requests reach the destination. Injected in tests (a scripted transport with
 * fake timers); `NodeHttpTransport` otherwise. The publisher enforces timeouts and runs `send`
 * under `suppressTracing`, so an implementation only has to send.
 */
export interface SegmentHttpTransport {
  send(request: SegmentHttpRequest): Promise<SegmentHttpResponse>;
  /** Releases connections (at shutdown). */
  close?(): void;
}

/** `node:http` / `node:https` over a keep-alive agent of `maxSockets` connections. */
export class NodeHttpTransport implements SegmentHttpTransport {
  private readonly agent: http.Agent;

  constructor(
    private readonly secure: boolean,
    maxSockets: number,
  ) {
    this.agent = new (secure ? https.Agent : http.Agent)({ keepAlive: true, maxSockets });
  }

  send({ url, headers, body, signal }: SegmentHttpRequest): Promise<SegmentHttpResponse> {
    return new Promise((resolve, reject) => {
      // Looked up on the module object at each call, as any client does, so an HTTP instrumentation
      // that patched it sees these requests (and finds them suppressed).
      const req = (this.secure ? https : http).request(url, {
        method: 'POST',
        agent: this.agent,
        headers,
      });
      const onAbort = (): void => {
        req.destroy(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      const cleanup = (): void => signal.removeEventListener('abort', onAbort);
      req.on('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          if (chunks.length < 4) chunks.push(chunk);
        });
        res.on('end', () => {
          cleanup();
          const status = res.statusCode ?? 0;
          const retryAfter = res.headers['retry-after'];
          resolve({
            status,
            ...(retryAfter !== undefined ? { retryAfter } : {}),
            text: status >= 300 ? Buffer.concat(chunks).toString('utf8').slice(0, 200) : '',
          });
        });
        res.on('error', (error) => {
          cleanup();
          reject(error);
        });
      });
      req.on('error', (error) => {
        cleanup();
        reject(error);
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
