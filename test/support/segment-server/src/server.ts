import { channel } from 'node:diagnostics_channel';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzip } from 'node:zlib';
import type { TrackingPlan } from '@spantrack/conventions';
import { MESSAGE_TYPES, SEGMENT_LIMITS } from './limits';
import { type PlanViolation, resolvePlans, validateAgainstPlans } from './plan-check';

/** A message as the server received it (one of `batch[]`, or the body of `/v1/<type>`). */
export type ReceivedMessage = Record<string, unknown> & { type: string; messageId?: string };

/** A fault the server injects instead of handling requests, `times` requests long (default: until cleared). */
export type SegmentFault =
  | { status: number; retryAfter?: number | string; body?: string; times?: number }
  | { hang: true; times?: number }
  | { reset: true; times?: number };

export interface SegmentServerOptions {
  writeKey: string;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /**
   * `messages` (default) keeps every accepted message; `ids` keeps only messageIds and counts, for
   * long benchmark runs where holding the parsed messages would cost the server memory and GC.
   */
  record?: 'messages' | 'ids';
  /**
   * Strict (default): a message without `type`, without `userId`/`anonymousId`, or a track without
   * `event`, fails the whole request with 400. Segment itself answers 200 and drops such an event;
   * strictness makes a sender's bug visible in a test.
   */
  strict?: boolean;
  /**
   * Check every accepted message against tracking plans (`validateMessage` of
   * `@spantrack/conventions`): `true` for the built-in plans, or your own list. A message that
   * breaks a plan is still accepted (as Segment does without Protocols blocking); the violation is
   * recorded in `planViolations` and published on the `spantrack:segment-test-server:violation`
   * diagnostics channel, which spantrack's test setup turns into a failed test.
   * @default env SEGMENT_TEST_SERVER_VALIDATE (`1` / `0`), else on when running under Vitest
   */
  validate?: boolean | readonly TrackingPlan[];
}

/** One accepted request. */
export interface RecordedBatch {
  path: string;
  receivedAt: number;
  /** Bytes on the wire (compressed when gzip). */
  wireBytes: number;
  /** Bytes of the JSON body after decompression. */
  bodyBytes: number;
  gzip: boolean;
  sentAt?: string;
  headers: Record<string, string | string[] | undefined>;
  /** Empty when `record: 'ids'`. */
  messages: ReceivedMessage[];
  messageCount: number;
}

export interface RequestLogEntry {
  path: string;
  status: number | 'hang' | 'reset';
  at: number;
  wireBytes: number;
  reason?: string;
  retryCount?: string;
}

export interface SegmentServerStats {
  requests: number;
  /** Requests answered 200 with their messages recorded. */
  acceptedRequests: number;
  /** Per status (and 'hang' / 'reset'), requests not accepted. */
  rejected: Record<string, number>;
  acceptedMessages: number;
  uniqueMessageIds: number;
  duplicateMessageIds: number;
  /** Events beyond 2,500 in one batch: Segment answers 200 and drops them; so does this server. */
  droppedOverBatchLimit: number;
  acceptedWireBytes: number;
  acceptedBodyBytes: number;
  maxRequestBodyBytes: number;
  gzipRequests: number;
  /** Accepted messages that break a tracking plan (see `validate`). */
  planViolations: number;
  firstAcceptedAt?: number;
  lastAcceptedAt?: number;
}

export interface SegmentServer {
  /** `http://host:port`, to use as the client's `host`. */
  readonly url: string;
  readonly port: number;
  /** Accepted requests, in order of acceptance. */
  readonly batches: readonly RecordedBatch[];
  /** Every accepted message, flattened in order (duplicates included). */
  readonly messages: readonly ReceivedMessage[];
  /** Every request, accepted or not, in order of arrival. */
  readonly requestLog: readonly RequestLogEntry[];
  /** Accepted messages that break a tracking plan (empty when `validate` is off). */
  readonly planViolations: readonly PlanViolation[];
  /** messageIds of every accepted message, in order (duplicates included). */
  messageIds(): string[];
  uniqueMessageIds(): Set<string>;
  /** messageIds accepted more than once. */
  duplicateMessageIds(): string[];
  setFault(fault: SegmentFault | null): void;
  /** Ends every request held by a `hang` fault by destroying its connection (the client sees a reset); returns how many. */
  releaseHanging(): number;
  stats(): SegmentServerStats;
  /** Resolves once at least `count` messages were accepted; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<void>;
  /** Forgets every recorded request and clears the fault. */
  reset(): void;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const CONTROL_PREFIX = '/__';

/** Where plan violations are published as they are found (spantrack's test setup subscribes). */
export const VIOLATION_CHANNEL_NAME = 'spantrack:segment-test-server:violation';
const violationChannel = channel(VIOLATION_CHANNEL_NAME);

/** Starts a Segment-compatible HTTP Tracking API server (see the package README in docs/delivery.md). */
export async function startSegmentServer(options: SegmentServerOptions): Promise<SegmentServer> {
  const host = options.host ?? '127.0.0.1';
  const recordMessages = (options.record ?? 'messages') === 'messages';
  const strict = options.strict ?? true;
  const plans = resolvePlans(options.validate);
  let planViolations: PlanViolation[] = [];
  const expectedAuth = `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`;

  let batches: RecordedBatch[] = [];
  let requestLog: RequestLogEntry[] = [];
  let flatMessages: ReceivedMessage[] | undefined;
  let ids: string[] = [];
  let seen = new Set<string>();
  let duplicates: string[] = [];
  let fault: SegmentFault | null = null;
  let stats = emptyStats();
  let waiters: { count: number; resolve: () => void }[] = [];
  const hanging = new Set<ServerResponse>();

  function emptyStats(): SegmentServerStats {
    return {
      requests: 0,
      acceptedRequests: 0,
      rejected: {},
      acceptedMessages: 0,
      uniqueMessageIds: 0,
      duplicateMessageIds: 0,
      droppedOverBatchLimit: 0,
      acceptedWireBytes: 0,
      acceptedBodyBytes: 0,
      maxRequestBodyBytes: 0,
      gzipRequests: 0,
      planViolations: 0,
    };
  }

  function reject(path: string, status: number | 'hang' | 'reset', wireBytes: number, reason?: string) {
    const key = String(status);
    stats.rejected[key] = (stats.rejected[key] ?? 0) + 1;
    requestLog.push({ path, status, at: Date.now(), wireBytes, ...(reason ? { reason } : {}) });
  }

  function takeFault(): SegmentFault | null {
    const current = fault;
    if (!current) return null;
    if (current.times !== undefined) {
      current.times -= 1;
      if (current.times <= 0) fault = null;
    }
    return current;
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    res.writeHead(status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    res.end(text);
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  function decode(wire: Buffer, gzip: boolean): Promise<Buffer> {
    if (!gzip) return Promise.resolve(wire);
    return new Promise((resolve, rejectDecode) => {
      // maxOutputLength bounds a decompression bomb: anything past the batch limit is a 400 anyway.
      gunzip(wire, { maxOutputLength: SEGMENT_LIMITS.maxBatchBytes + 1 }, (error, result) => {
        if (error) {
          rejectDecode(
            new HttpError(
              400,
              (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE'
                ? 'batch exceeds 500KB'
                : `invalid gzip: ${error.message}`,
            ),
          );
        } else resolve(result);
      });
    });
  }

  function validateMessage(message: unknown, index: number, bodyBytes: number): ReceivedMessage {
    if (message === null || typeof message !== 'object' || Array.isArray(message)) {
      throw new HttpError(400, `batch[${index}] is not an object`);
    }
    const m = message as ReceivedMessage;
    // A body within 32 KB cannot hold a message over 32 KB: skip re-serializing in the common case.
    if (bodyBytes > SEGMENT_LIMITS.maxMessageBytes) {
      const size = Buffer.byteLength(JSON.stringify(m));
      if (size > SEGMENT_LIMITS.maxMessageBytes) {
        throw new HttpError(400, `batch[${index}] is ${size} bytes, over the 32KB event limit`);
      }
    }
    if (strict) {
      if (typeof m.type !== 'string' || !(MESSAGE_TYPES as readonly string[]).includes(m.type)) {
        throw new HttpError(400, `batch[${index}] has no valid type`);
      }
      if (!isId(m.userId) && !isId(m.anonymousId) && !(m.type === 'alias' && isId(m.previousId))) {
        throw new HttpError(400, `batch[${index}] has neither userId nor anonymousId`);
      }
      if (m.type === 'track' && typeof m.event !== 'string') {
        throw new HttpError(400, `batch[${index}] is a track without event`);
      }
      if (
        m.messageId !== undefined &&
        (typeof m.messageId !== 'string' || m.messageId.length > SEGMENT_LIMITS.maxMessageIdLength)
      ) {
        throw new HttpError(400, `batch[${index}] has a messageId that is not a string under 100 characters`);
      }
    }
    return m;
  }

  function checkAuth(req: IncomingMessage, body: Record<string, unknown>) {
    const header = req.headers.authorization;
    // Segment accepts either Basic auth (write key as username, empty password) or `writeKey` in the body.
    if (header !== undefined) {
      if (header !== expectedAuth) throw new HttpError(401, 'invalid write key');
    } else if (body.writeKey !== options.writeKey) {
      throw new HttpError(401, 'missing write key');
    }
  }

  function accept(
    req: IncomingMessage,
    path: string,
    wireBytes: number,
    bodyBytes: number,
    gzip: boolean,
    sentAt: unknown,
    messages: ReceivedMessage[],
  ) {
    let kept = messages;
    if (messages.length > SEGMENT_LIMITS.maxBatchMessages) {
      stats.droppedOverBatchLimit += messages.length - SEGMENT_LIMITS.maxBatchMessages;
      kept = messages.slice(0, SEGMENT_LIMITS.maxBatchMessages);
    }
    const now = Date.now();
    if (plans !== undefined) {
      for (const m of kept) {
        const found = validateAgainstPlans(m, plans, path);
        if (found.length === 0) continue;
        stats.planViolations += found.length;
        planViolations.push(...found);
        if (violationChannel.hasSubscribers) for (const v of found) violationChannel.publish(v);
      }
    }
    for (const m of kept) {
      const id = typeof m.messageId === 'string' ? m.messageId : '';
      ids.push(id);
      if (seen.has(id)) duplicates.push(id);
      else seen.add(id);
    }
    batches.push({
      path,
      receivedAt: now,
      wireBytes,
      bodyBytes,
      gzip,
      ...(typeof sentAt === 'string' ? { sentAt } : {}),
      headers: recordMessages ? { ...req.headers } : {},
      messages: recordMessages ? kept : [],
      messageCount: kept.length,
    });
    if (recordMessages) flatMessages = undefined;
    stats.acceptedRequests += 1;
    stats.acceptedMessages += kept.length;
    stats.acceptedWireBytes += wireBytes;
    stats.acceptedBodyBytes += bodyBytes;
    if (bodyBytes > stats.maxRequestBodyBytes) stats.maxRequestBodyBytes = bodyBytes;
    if (gzip) stats.gzipRequests += 1;
    stats.firstAcceptedAt ??= now;
    stats.lastAcceptedAt = now;
    const retryCount = req.headers['x-retry-count'];
    requestLog.push({
      path,
      status: 200,
      at: now,
      wireBytes,
      ...(typeof retryCount === 'string' ? { retryCount } : {}),
    });
    if (waiters.length) {
      const total = stats.acceptedMessages;
      waiters = waiters.filter((w) => {
        if (total >= w.count) w.resolve();
        return total < w.count;
      });
    }
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, path: string) {
    const body = await readBody(req);
    // The server's own CPU (user + system µs since it started) lets a bench tell whose CPU ran out.
    if (path === '/__stats') {
      const cpu = process.cpuUsage();
      return send(res, 200, { ...publicStats(), processCpuMicros: cpu.user + cpu.system });
    }
    if (path === '/__reset' && req.method === 'POST') {
      reset();
      return send(res, 200, { success: true });
    }
    if (path === '/__fault' && req.method === 'POST') {
      fault = body.length ? (JSON.parse(body.toString('utf8')) as SegmentFault | null) : null;
      return send(res, 200, { success: true });
    }
    return send(res, 404, { error: 'not found' });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path.startsWith(CONTROL_PREFIX)) return handleControl(req, res, path);
    stats.requests += 1;

    const wire = await readBody(req);
    const wireBytes = wire.length;

    const injected = takeFault();
    if (injected) {
      if ('hang' in injected) {
        reject(path, 'hang', wireBytes);
        hanging.add(res);
        res.on('close', () => hanging.delete(res));
        return;
      }
      if ('reset' in injected) {
        reject(path, 'reset', wireBytes);
        req.socket.destroy();
        return;
      }
      reject(path, injected.status, wireBytes, 'injected');
      const headers: Record<string, string> = {};
      if (injected.retryAfter !== undefined) headers['retry-after'] = String(injected.retryAfter);
      return send(
        res,
        injected.status,
        injected.body ?? { success: false, error: 'injected fault' },
        headers,
      );
    }

    try {
      if (req.method !== 'POST') throw new HttpError(405, 'POST only');
      const single = /^\/v1\/(track|identify|page|screen|group|alias)$/.exec(path);
      if (path !== '/v1/batch' && !single) throw new HttpError(404, 'not found');
      const contentType = req.headers['content-type'] ?? '';
      if (!contentType.toLowerCase().startsWith('application/json')) {
        throw new HttpError(400, "content-type must be 'application/json'");
      }
      const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
      if (encoding !== 'gzip' && encoding !== 'identity') {
        throw new HttpError(400, `unsupported content-encoding ${encoding}`);
      }
      const gzip = encoding === 'gzip';
      const limit = single ? SEGMENT_LIMITS.maxMessageBytes : SEGMENT_LIMITS.maxBatchBytes;
      if (wireBytes > limit) throw new HttpError(400, `request exceeds ${limit} bytes`);
      const decoded = await decode(wire, gzip);
      // The limit applies to the JSON itself, compressed or not (Segment documents no other reading).
      if (decoded.length > limit) throw new HttpError(400, `request exceeds ${limit} bytes`);

      let body: unknown;
      try {
        body = JSON.parse(decoded.toString('utf8'));
      } catch {
        throw new HttpError(400, 'invalid JSON');
      }
      if (body === null || typeof body !== 'object' || Array.isArray(body)) {
        throw new HttpError(400, 'body is not a JSON object');
      }
      const record = body as Record<string, unknown>;
      checkAuth(req, record);

      let messages: ReceivedMessage[];
      if (single) {
        const { writeKey: _writeKey, sentAt: _sentAt, ...message } = record;
        messages = [validateMessage({ type: single[1], ...message }, 0, decoded.length)];
      } else {
        if (!Array.isArray(record.batch)) throw new HttpError(400, 'batch is not an array');
        messages = record.batch.map((m, i) => validateMessage(m, i, decoded.length));
      }
      accept(req, path, wireBytes, decoded.length, gzip, record.sentAt, messages);
      send(res, 200, '{"success":true}');
    } catch (error) {
      if (error instanceof HttpError) {
        reject(path, error.status, wireBytes, error.message);
        send(res, error.status, { success: false, error: error.message });
      } else {
        reject(path, 500, wireBytes, String(error));
        send(res, 500, { success: false, error: 'internal error' });
      }
    }
  }

  function uniqueMessageIds() {
    return new Set(seen);
  }

  function publicStats(): SegmentServerStats {
    return {
      ...stats,
      rejected: { ...stats.rejected },
      uniqueMessageIds: seen.size,
      duplicateMessageIds: duplicates.length,
    };
  }

  function reset() {
    batches = [];
    requestLog = [];
    planViolations = [];
    flatMessages = undefined;
    ids = [];
    seen = new Set();
    duplicates = [];
    fault = null;
    stats = emptyStats();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, { success: false, error: String(error) });
    });
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', rejectListen);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}`,
    port,
    get batches() {
      return batches;
    },
    get messages() {
      flatMessages ??= batches.flatMap((b) => b.messages);
      return flatMessages;
    },
    get requestLog() {
      return requestLog;
    },
    get planViolations() {
      return planViolations;
    },
    messageIds: () => [...ids],
    uniqueMessageIds,
    duplicateMessageIds: () => [...duplicates],
    setFault(next) {
      fault = next ? { ...next } : null;
    },
    releaseHanging() {
      const n = hanging.size;
      for (const res of hanging) res.socket?.destroy();
      hanging.clear();
      return n;
    },
    stats: publicStats,
    waitForMessages(count, timeoutMs = 10_000) {
      if (stats.acceptedMessages >= count) return Promise.resolve();
      return new Promise<void>((resolve, rejectWait) => {
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          rejectWait(new Error(`timed out waiting for ${count} messages (have ${stats.acceptedMessages})`));
        }, timeoutMs);
        const waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        waiters.push(waiter);
      });
    },
    reset,
    close() {
      for (const res of hanging) res.destroy();
      hanging.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function isId(value: unknown): boolean {
  return (typeof value === 'string' && value.length > 0) || typeof value === 'number';
}
