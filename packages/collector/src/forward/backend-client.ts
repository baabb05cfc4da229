import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** What the backend answered to one attempt. */
export interface BackendAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The start of the answer body, for logs. */
  snippet: string;
}

const SNIPPET_BYTES = 300;

/**
 * POSTs OTLP bodies to one URL over kept-alive connections. An attempt rejects on a connection
 * error, on its timeout, or when `abortAll()` is called (shutdown).
 */
export class BackendClient {
  private readonly url: URL;
  private readonly agent: HttpAgent;
  private readonly open = new Set<{ destroy(error: Error): void }>();

  constructor(
    url: string,
    private readonly headers: Record<string, string>,
    private readonly timeoutMs: number,
  ) {
    this.url = new URL(url);
    this.agent =
      this.url.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true })
        : new HttpAgent({ keepAlive: true });
  }

  post(body: Buffer, contentType: string, contentEncoding: string | undefined): Promise<BackendAnswer> {
    const request = this.url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = request(this.url, {
        method: 'POST',
        agent: this.agent,
        headers: {
          ...this.headers,
          'content-type': contentType,
          ...(contentEncoding !== undefined ? { 'content-encoding': contentEncoding } : {}),
          'content-length': String(body.length),
        },
      });
      this.open.add(req);
      const timer = setTimeout(
        () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      const done = () => {
        clearTimeout(timer);
        this.open.delete(req);
      };
      req.once('error', (error) => {
        done();
        reject(error);
      });
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          // Only the start is kept; the rest is read and discarded so the connection can be reused.
          if (size < SNIPPET_BYTES) chunks.push(chunk);
          size += chunk.length;
        });
        res.once('end', () => {
          done();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            snippet: Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8'),
          });
        });
        res.once('error', (error) => {
          done();
          reject(error);
        });
      });
      req.end(body);
    });
  }

  /** Ends every attempt in flight (they reject) and closes idle connections. */
  abortAll(reason: string): void {
    for (const req of this.open) req.destroy(new Error(reason));
    this.open.clear();
    this.agent.destroy();
  }
}
