import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, Server as NetServer, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type DecodedTraces, TooManySpansError } from '../otlp/decoded-traces';
import { decodeJsonTracesSliced } from '../otlp/otlp-json-decoder';
import { decodeProtobufTracesSliced } from '../otlp/otlp-protobuf-decoder';
import {
  encodeExportResponse,
  encodeExportResponseJson,
  encodeStatus,
  encodeStatusJson,
} from '../otlp/otlp-response';
import { OUTCOME_STATUS, type RequestOutcome } from '../otlp/outcome-status';
import type { CollectorPipeline, ExportOutcome } from '../pipeline/collector-pipeline';
import { type MemoryBudget, Reservation, SPAN_COST_BYTES } from '../pipeline/memory-budget';
import { concatInSlices } from '../slicing/concat-in-slices';
import type { CollectorMetrics } from '../telemetry/collector-metrics';
import type { BearerAuth } from './bearer-auth';
import { InflateError, inflateBody } from './inflate-body';

export const TRACES_PATH = '/v1/traces';

export interface HttpReceiverOptions {
  host: string;
  port: number;
  pipeline: CollectorPipeline;
  metrics: CollectorMetrics;
  auth: BearerAuth | undefined;
  maxRequestBytes: number;
  maxDecompressedBytes: number;
  /** Bytes held at once over all requests (bodies and decoded spans), shared with gRPC; past it, 429. */
  budget: MemoryBudget;
  /** Spans one request may hold; past it, 413. */
  maxSpansPerRequest: number;
  /** After an error answer, how long an unread request body may keep the connection before it is cut. */
  lingerMs: number;
  /** `/metrics` requires this bearer token when set. */
  metricsAuth: BearerAuth | undefined;
  /** `Retry-After` of that 429, seconds. */
  busyRetryAfterSeconds: number;
  /** `Retry-After` of the 503 given to requests still waiting at the close deadline, seconds. */
  unavailableRetryAfterSeconds: number;
  /** Not ready (503 on `/readyz`) with the reason, or undefined when ready. */
  notReady: () => string | undefined | Promise<string | undefined>;
  /** The `/metrics` text (a promise when a worker of several asks the others: cluster/). */
  renderMetrics: () => string | Promise<string>;
  /** The `/healthz` text. @default 'ok' */
  health?: () => Promise<string>;
  /** Answers paths the receiver does not own (the dashboard); returns false for a 404. @default none */
  routes?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Takes each decodable request for the trace backend: the bytes as received and their headers. */
  forward?: ForwardRequest;
}

/** Hands one accepted request to the trace forwarder; `identity` is the decompressed body. */
export type ForwardRequest = (
  body: Buffer,
  contentType: string,
  contentEncoding: string | undefined,
  identity: Uint8Array,
) => void;

export interface HttpReceiver {
  readonly url: string;
  readonly port: number;
  /** Stops accepting connections and closes idle ones; open requests finish. */
  stopAccepting(): void;
  /** Resolves once every connection is closed (forcing them after `timeoutMs`). */
  close(timeoutMs: number): Promise<void>;
}

type Format = 'protobuf' | 'json';

/** An HTTP answer other than the export response: its status from the outcome (otlp/outcome-status.ts). */
class HttpFailure extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;

  constructor(
    readonly outcome: RequestOutcome,
    message: string,
    answer: { retryAfterSeconds?: number; headers?: Record<string, string> } = {},
  ) {
    super(message);
    const row = OUTCOME_STATUS[outcome];
    this.status = row.http;
    this.headers = { ...answer.headers };
    if (row.retryable && answer.retryAfterSeconds !== undefined)
      this.headers['retry-after'] = String(answer.retryAfterSeconds);
  }
}

const PROTOBUF_TYPES = new Set(['application/x-protobuf', 'application/protobuf']);
/** Header values quoted in error answers are cut to this many characters: an answer never echoes a long header. */
const MAX_ECHOED_CHARS = 64;

/** `value` as JSON text, cut to `MAX_ECHOED_CHARS` characters. */
function quoted(value: string): string {
  return JSON.stringify(value.length > MAX_ECHOED_CHARS ? `${value.slice(0, MAX_ECHOED_CHARS)}…` : value);
}
/** Bodies of at least this declared length are received into one buffer allocated up front. */
const PREALLOCATE_BYTES = 64 * 1024;
/** At the close deadline, how long the 503s to waiting requests may take to be written. */
const ANSWER_GRACE_MS = 200;
/** While closing, how long a connection that has sent nothing yet may still send its request. */
const FRESH_CONNECTION_GRACE_MS = 1_000;

/**
 * What a connection is doing, so that closing cuts only connections with nothing in flight: not
 * one whose request is still being sent (Node's `closeIdleConnections` counts a connection whose
 * request has not been parsed yet as idle, and the sender sees a reset instead of an answer).
 */
interface ConnectionState {
  /** Requests received and not yet answered. */
  active: number;
  /** When the connection was accepted. */
  since: number;
  /** `socket.bytesRead` when it last became idle (more since: a request is arriving). */
  bytesAtIdle: number;
  /** At least one answer was written. */
  served: boolean;
}

function mediaType(header: string | undefined): string {
  if (header === undefined) return '';
  const semicolon = header.indexOf(';');
  return (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
}

interface PendingExport {
  req: IncomingMessage;
  res: ServerResponse;
  format: Format;
  /** Answered 503 by close() at its deadline. */
  cut: boolean;
}

/** Starts the OTLP/HTTP receiver: `POST /v1/traces`, `/healthz`, `/readyz`, `/metrics`. */
export async function startHttpReceiver(options: HttpReceiverOptions): Promise<HttpReceiver> {
  const { pipeline, metrics } = options;
  /** Sockets still receiving the body of a request already answered with an error. */
  const lingering = new Set<Socket>();
  /** Export requests not yet finished (answered at the close deadline when still waiting). */
  const pending = new Set<PendingExport>();
  const budget = options.budget;
  const connections = new Map<Socket, ConnectionState>();
  /** Set by stopAccepting. */
  let draining = false;
  const busy = () =>
    new HttpFailure(
      'throttled',
      `collector busy: requests in progress hold ${budget.used} of ${budget.limit} bytes of its memory budget`,
      { retryAfterSeconds: options.busyRetryAfterSeconds },
    );

  function send(
    res: ServerResponse,
    status: number,
    contentType: string,
    body: Buffer | string,
    headers: Record<string, string> = {},
  ): void {
    if (res.headersSent || res.destroyed) return;
    // While closing, an answer ends its connection so that no sender reuses it; not before the
    // request body is in, or the unread rest would reset the connection before the answer is read.
    if (draining && res.req.complete) res.shouldKeepAlive = false;
    res.writeHead(status, {
      'content-type': contentType,
      'content-length': String(Buffer.byteLength(body)),
      ...headers,
    });
    res.end(body);
  }

  /** An error answer as a `google.rpc.Status`, in the request's format. */
  function sendFailure(
    req: IncomingMessage,
    res: ServerResponse,
    format: Format,
    failure: HttpFailure,
  ): void {
    const code = OUTCOME_STATUS[failure.outcome].grpc;
    if (format === 'json') {
      send(res, failure.status, 'application/json', encodeStatusJson(code, failure.message), failure.headers);
    } else {
      send(
        res,
        failure.status,
        'application/x-protobuf',
        encodeStatus(code, failure.message),
        failure.headers,
      );
    }
    // The rest of an unread body is read and discarded, so the client sees the answer instead of a
    // reset connection (and keeps it); a body that never ends is cut after `lingerMs`, or at close().
    // A request already destroyed (the client went away mid-body) has nothing left to discard: its
    // 'end'/'close' have fired, so nothing would ever take its socket out of `lingering`.
    if (!req.complete && !req.destroyed) {
      const socket = req.socket;
      lingering.add(socket);
      const done = () => {
        clearTimeout(timer);
        lingering.delete(socket);
      };
      const timer = setTimeout(() => {
        socket.destroy();
        done();
      }, options.lingerMs);
      timer.unref();
      req.once('end', done);
      req.once('close', done);
      req.removeAllListeners('data');
      req.resume();
    }
  }

  function readBody(req: IncomingMessage, limit: number, reservation: Reservation): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      // A large body of declared length is copied into one buffer as it comes (never held twice,
      // no copy of it all at the end); a small one is usually a single chunk.
      const declared = Number(req.headers['content-length']);
      const into =
        declared >= PREALLOCATE_BYTES && declared <= limit ? Buffer.allocUnsafeSlow(declared) : undefined;
      let done = false;
      const stop = (failure: HttpFailure) => {
        done = true;
        chunks.length = 0;
        req.off('data', onData);
        // The answer goes out now; the rest is discarded (or the connection cut) by sendFailure.
        reject(failure);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > limit) return stop(new HttpFailure('too_large', `request body exceeds ${limit} bytes`));
        if (!reservation.take(chunk.length)) return stop(busy());
        // Node's parser never delivers more than the declared length.
        if (into !== undefined) chunk.copy(into, size - chunk.length);
        else chunks.push(chunk);
      };
      req.on('data', onData);
      req.once('end', () => {
        if (done) return;
        done = true;
        if (into !== undefined) resolve(into.subarray(0, size));
        else concatInSlices(chunks, size).then(resolve, reject);
      });
      // The client went away mid-body: nobody gets an answer, so it is not an `invalid` request.
      req.once('error', (error) => {
        if (done) return;
        done = true;
        reject(new HttpFailure('aborted', `request aborted: ${error.message}`));
      });
      req.once('close', () => {
        if (done) return;
        done = true;
        reject(new HttpFailure('aborted', 'request aborted'));
      });
    });
  }

  function outcomeFailure(outcome: Exclude<ExportOutcome, { kind: 'ok' }>): HttpFailure {
    const seconds = Math.max(1, Math.ceil(outcome.retryAfterMs / 1000));
    return new HttpFailure(outcome.kind === 'throttled' ? 'throttled' : 'unavailable', outcome.message, {
      retryAfterSeconds: seconds,
    });
  }

  async function readAndDecode(
    req: IncomingMessage,
    format: Format,
    encoding: 'identity' | 'gzip' | 'deflate',
    reservation: Reservation,
  ): Promise<{ decoded: DecodedTraces; wire: Buffer; body: Buffer }> {
    const wire = await readBody(req, options.maxRequestBytes, reservation);
    let body = wire;
    if (encoding !== 'identity') {
      try {
        body = await inflateBody(wire, encoding, options.maxDecompressedBytes, reservation);
      } catch (error) {
        if (!(error instanceof InflateError)) throw error;
        throw error.reason === 'busy' ? busy() : new HttpFailure(error.reason, error.message);
      }
      // Only the decompressed bytes are held from here on.
      reservation.giveBack(wire.length);
    }
    let decoded: DecodedTraces;
    try {
      const max = options.maxSpansPerRequest;
      decoded =
        format === 'json'
          ? await decodeJsonTracesSliced(body, max)
          : await decodeProtobufTracesSliced(body, max);
    } catch (error) {
      if (error instanceof TooManySpansError) throw new HttpFailure('too_large', error.message);
      throw new HttpFailure('invalid', `undecodable ${format} body: ${(error as Error).message}`);
    }
    // The decoded spans (their strings about as many bytes as the body) and their messages live
    // until the answer: counted like the body bytes.
    const spans = decoded.spans.length + decoded.invalidSpans;
    if (!reservation.take(body.length + spans * SPAN_COST_BYTES)) throw busy();
    return { decoded, wire, body };
  }

  async function handleExport(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const type = mediaType(req.headers['content-type']);
    const format: Format = type === 'application/json' ? 'json' : 'protobuf';
    let outcome: RequestOutcome = 'ok';
    const reservation = new Reservation(budget);
    const entry: PendingExport = { req, res, format, cut: false };
    pending.add(entry);
    try {
      if (options.auth !== undefined && !options.auth.check(req.headers.authorization)) {
        throw new HttpFailure('unauthorized', 'missing or wrong bearer token', {
          headers: { 'www-authenticate': 'Bearer' },
        });
      }
      if (type !== 'application/json' && !PROTOBUF_TYPES.has(type)) {
        throw new HttpFailure(
          'unsupported',
          `unsupported content type ${quoted(type)}: use application/x-protobuf or application/json`,
        );
      }
      const rawEncoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
      const encoding =
        rawEncoding === '' || rawEncoding === 'identity'
          ? 'identity'
          : rawEncoding === 'gzip' || rawEncoding === 'x-gzip'
            ? 'gzip'
            : rawEncoding === 'deflate'
              ? 'deflate'
              : undefined;
      if (encoding === undefined) {
        throw new HttpFailure(
          'unsupported',
          `unsupported content encoding ${quoted(rawEncoding)}: use gzip or none`,
        );
      }
      const declared = Number(req.headers['content-length']);
      if (Number.isFinite(declared) && declared > options.maxRequestBytes) {
        throw new HttpFailure('too_large', `request body exceeds ${options.maxRequestBytes} bytes`);
      }
      const early = pipeline.admit(options.forward !== undefined);
      if (early !== undefined) throw outcomeFailure(early as Exclude<ExportOutcome, { kind: 'ok' }>);

      if (budget.used >= budget.limit) throw busy();

      const { decoded, wire, body } = await readAndDecode(req, format, encoding, reservation);
      // Forwarded whatever the analytics side answers: the trace backend is the other half.
      if (options.forward !== undefined && decoded.spans.length + decoded.invalidSpans > 0) {
        options.forward(
          wire,
          req.headers['content-type'] ?? 'application/x-protobuf',
          encoding === 'identity' ? undefined : rawEncoding,
          body,
        );
      }
      // The reservation is kept until the answer: the messages stay referenced while delivery is awaited.
      const result = await pipeline.export(decoded);
      if (result.kind !== 'ok') throw outcomeFailure(result);
      if (result.partial !== undefined) outcome = 'partial';
      if (format === 'json') send(res, 200, 'application/json', encodeExportResponseJson(result.partial));
      else send(res, 200, 'application/x-protobuf', encodeExportResponse(result.partial));
    } catch (error) {
      const failure =
        error instanceof HttpFailure
          ? error
          : new HttpFailure('invalid', `request could not be read: ${(error as Error).message}`);
      outcome = failure.outcome;
      sendFailure(req, res, format, failure);
    } finally {
      pending.delete(entry);
      reservation.release();
      if (entry.cut) outcome = 'unavailable';
      metrics.recordRequest('http', outcome, (performance.now() - started) / 1000);
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const state = connections.get(req.socket);
    if (state !== undefined) {
      state.active++;
      // Idle once answered AND the body is in (an error answer may come before the body ends).
      let answered = false;
      let received = req.complete;
      const settle = () => {
        if (answered && received) state.bytesAtIdle = req.socket.bytesRead;
      };
      res.once('close', () => {
        state.active--;
        state.served = true;
        answered = true;
        settle();
      });
      const ended = () => {
        received = true;
        settle();
      };
      req.once('end', ended);
      req.once('close', ended);
    }
    const url = req.url ?? '/';
    let path: string;
    if (url.charCodeAt(0) === 0x2f /* '/' */) {
      const q = url.indexOf('?');
      path = q === -1 ? url : url.slice(0, q);
    } else {
      // Absolute-form ("POST http://host/v1/traces"), which a server must accept (RFC 9112 §3.2.2).
      try {
        path = new URL(url, 'http://x').pathname;
      } catch {
        path = url;
      }
    }
    if (path === TRACES_PATH) {
      if (req.method !== 'POST') {
        send(res, 405, 'text/plain', 'use POST\n', { allow: 'POST' });
        return;
      }
      void handleExport(req, res);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      send(res, 404, 'text/plain', 'not found\n');
      return;
    }
    switch (path) {
      case '/healthz':
        if (options.health === undefined) send(res, 200, 'text/plain', 'ok\n');
        else void options.health().then((text) => send(res, 200, 'text/plain', `${text}\n`));
        return;
      case '/readyz':
        void Promise.resolve(options.notReady()).then((reason) => {
          if (reason === undefined) send(res, 200, 'text/plain', 'ready\n');
          else send(res, 503, 'text/plain', `not ready: ${reason}\n`);
        });
        return;
      case '/metrics':
        if (options.metricsAuth !== undefined && !options.metricsAuth.check(req.headers.authorization)) {
          send(res, 401, 'text/plain', 'missing or wrong bearer token\n', { 'www-authenticate': 'Bearer' });
          return;
        }
        void Promise.resolve(options.renderMetrics()).then(
          (text) => send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', text),
          (error: unknown) => send(res, 500, 'text/plain', `metrics unavailable: ${String(error)}\n`),
        );
        return;
      default:
        if (options.routes?.(req, res)) return;
        send(res, 404, 'text/plain', 'not found\n');
    }
  }

  const server: Server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 120_000 }, (req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      // Never let one request take the process down.
      send(res, 500, 'text/plain', `internal error: ${(error as Error).message}\n`);
    }
  });
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { active: 0, since: Date.now(), bytesAtIdle: 0, served: false });
    socket.once('close', () => connections.delete(socket));
  });
  /** Ends the connections with nothing in flight: no request being answered or arriving. */
  const closeIdle = () => {
    const now = Date.now();
    for (const [socket, state] of connections) {
      if (state.active > 0 || socket.bytesRead > state.bytesAtIdle) continue;
      if (!state.served && now - state.since < FRESH_CONNECTION_GRACE_MS) continue;
      socket.destroy();
    }
  };
  server.on('clientError', (_error, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  /** Answers every export still waiting with 503; resolves per answer once it is written (or failed). */
  function answerPending(): Promise<void>[] {
    const written: Promise<void>[] = [];
    for (const entry of pending) {
      const { req, res, format } = entry;
      if (res.headersSent || res.destroyed) continue;
      entry.cut = true;
      written.push(
        new Promise<void>((resolve) => {
          res.once('finish', resolve);
          res.once('close', resolve);
        }),
      );
      sendFailure(
        req,
        res,
        format,
        new HttpFailure('unavailable', 'collector shutting down: delivery not confirmed in time', {
          retryAfterSeconds: options.unavailableRetryAfterSeconds,
          headers: { connection: 'close' },
        }),
      );
    }
    pending.clear();
    return written;
  }

  let closing: Promise<void> | undefined;
  /**
   * Stops taking work: each answer from now on ends its connection, idle connections are ended,
   * and new export requests are refused by the draining pipeline with a 503. The port keeps
   * listening until the open exports are answered (see close): closing it earlier resets the
   * connections the kernel accepted but Node has not yet, and their senders get no answer.
   */
  const stopAccepting = () => {
    draining = true;
    closeIdle();
  };
  /** Resolves once no export request is open. */
  const exportsDone = () =>
    new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (pending.size === 0) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    stopAccepting,
    async close(timeoutMs: number) {
      stopAccepting();
      for (const socket of lingering) socket.destroy();
      // At the deadline, requests still waiting (for their delivery, say) get a 503 the sender
      // retries, not a reset connection; the connections are cut once those answers are written.
      const timer = setTimeout(() => {
        const written = answerPending();
        if (written.length === 0) server.closeAllConnections();
        else {
          const cut = setTimeout(() => server.closeAllConnections(), ANSWER_GRACE_MS);
          cut.unref();
          void Promise.all(written).then(() => {
            clearTimeout(cut);
            server.closeAllConnections();
          });
        }
      }, timeoutMs);
      timer.unref();
      // Connections that become idle after their last answer close too.
      const idle = setInterval(closeIdle, 100);
      idle.unref();
      await exportsDone();
      // net's close, not http's: http's also ends every connection it deems idle, including one
      // whose request has not been parsed yet; closeIdle waits for those.
      closing ??= new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      closeIdle();
      await closing;
      clearTimeout(timer);
      clearInterval(idle);
    },
  };
}
