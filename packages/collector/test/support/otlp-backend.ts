import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** One request the backend accepted, byte for byte. */
export interface ReceivedRequest {
  path: string;
  body: Buffer;
  headers: IncomingMessage['headers'];
  at: number;
}

/** What the backend does instead of accepting, `times` requests long (default: until cleared). */
export type BackendFault =
  | { status: number; retryAfter?: string; times?: number }
  | { hang: true; times?: number }
  | { delayMs: number; times?: number };

/**
 * A trace backend for the tests: a real OTLP/HTTP server on 127.0.0.1 that records each accepted
 * body exactly as it arrived (no decompression), answers an empty `ExportTraceServiceResponse`,
 * and can fail, hang, slow down, or go away and come back on the same port.
 */
export class OtlpBackend {
  readonly received: ReceivedRequest[] = [];
  /** Every attempt, accepted or not: status, or `hang`. */
  readonly attempts: { status: number | 'hang'; at: number }[] = [];
  private fault: BackendFault | null = null;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly hanging = new Set<ServerResponse>();
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(port = this.port): Promise<this> {
    const server = createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  /** Goes away: the port refuses connections until `start()` again. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Cuts the connections of the requests left hanging (their senders see a connection error). */
  releaseHanging(): void {
    for (const res of this.hanging) res.destroy();
    this.hanging.clear();
  }

  setFault(fault: BackendFault | null): void {
    this.fault = fault;
  }

  /** Resolves once `count` requests were accepted; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline)
        throw new Error(`backend got ${this.received.length} of ${count} requests in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private takeFault(): BackendFault | null {
    const fault = this.fault;
    if (fault === null) return null;
    if (fault.times !== undefined) {
      if (fault.times <= 1) this.fault = null;
      else this.fault = { ...fault, times: fault.times - 1 };
    }
    return fault;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const fault = this.takeFault();
      const at = Date.now();
      if (fault !== null && 'hang' in fault) {
        this.attempts.push({ status: 'hang', at });
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      if (fault !== null && 'status' in fault) {
        this.attempts.push({ status: fault.status, at });
        res.writeHead(fault.status, {
          'content-type': 'text/plain',
          ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}),
        });
        res.end(`fault ${fault.status}`);
        return;
      }
      const accept = () => {
        this.attempts.push({ status: 200, at });
        this.received.push({ path: req.url ?? '', body: Buffer.concat(chunks), headers: req.headers, at });
        // An empty ExportTraceServiceResponse.
        res.writeHead(200, { 'content-type': 'application/x-protobuf', 'content-length': '0' });
        res.end();
      };
      if (fault !== null && 'delayMs' in fault) setTimeout(accept, fault.delayMs);
      else accept();
    });
  }
}
