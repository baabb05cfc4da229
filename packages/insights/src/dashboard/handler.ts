import type { IncomingMessage, ServerResponse } from 'node:http';
import { EXPORT_FORMATS } from '../export/export-conversations';
import { writeTextExport } from '../export/write-export';
import type { Insights } from '../insights';
import { type Filters, filtersFromQuery, InvalidFilterError } from '../metrics/filters';
import { loadStaticFiles, STATIC_FILES } from './static-files';

/** What the dashboard reads: the store's queries, and (for live updates) its "batch stored" signal. */
export interface DashboardStore {
  insights: Insights;
  onStored?(listener: () => void): () => void;
}

export interface DashboardHandlerOptions {
  store: DashboardStore;
  /** Path the dashboard is mounted under. Default `/`. */
  basePath?: string;
  /**
   * Least time between two live-update notifications. Default 5,000 ms: each one makes every open
   * page re-run the dashboard's queries, which take seconds over millions of events.
   */
  liveIntervalMs?: number;
}

/** A Node HTTP handler: answers the dashboard's requests and returns true, or returns false for any other path. */
export type DashboardHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

const JSON_TYPE = 'application/json; charset=utf-8';
const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
};

function sendJson(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': JSON_TYPE, 'cache-control': 'no-store', ...SECURITY_HEADERS });
  res.end(JSON.stringify(body));
}

/** Answers with the error as JSON: 400 for a bad filter, 500 (without details) for anything else. */
function sendError(res: ServerResponse, error: unknown) {
  if (error instanceof InvalidFilterError) sendJson(res, 400, { error: error.message, field: error.field });
  else sendJson(res, 500, { error: 'internal error' });
}

/**
 * The dashboard page and its JSON API:
 * `GET /` the page; `GET /api/overview` every figure; `GET /api/conversations` a page of the list;
 * `GET /api/conversations/<id>` one conversation's history; `GET /api/export?format=csv|jsonl`;
 * `GET /api/live` server-sent events, one `stored` event after new events are stored.
 * Every API takes the filters `from`, `to`, `channel`, `assistant`, `customer`.
 */
export function createDashboardHandler(options: DashboardHandlerOptions): DashboardHandler {
  const { store } = options;
  const base = (options.basePath ?? '/').replace(/\/*$/, '/');
  const liveIntervalMs = options.liveIntervalMs ?? 5_000;
  const files = loadStaticFiles();

  const handle = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => {
    if (path === 'api/overview') {
      const filters = filtersFromQuery(query, ['top']);
      sendJson(res, 200, await store.insights.overview(filters, Number(query.get('top') ?? 10) || 10));
    } else if (path === 'api/conversations') {
      const filters = filtersFromQuery(query, ['limit', 'offset']);
      const limit = pageNumber(query, 'limit', 50, 1, 1_000);
      const offset = pageNumber(query, 'offset', 0, 0, 1_000_000_000);
      sendJson(res, 200, await store.insights.conversations(filters, { limit, offset }));
    } else if (path.startsWith('api/conversations/')) {
      filtersFromQuery(query, []);
      const id = decodeId(path.slice('api/conversations/'.length));
      const conversation = await store.insights.conversation(id);
      if (conversation.messages.length === 0) sendJson(res, 404, { error: 'no such conversation' });
      else sendJson(res, 200, conversation);
    } else if (path === 'api/export') {
      const filters = filtersFromQuery(query, ['format']);
      await exportRows(res, store.insights, filters, query.get('format') ?? 'csv');
    } else if (path === 'api/live') {
      filtersFromQuery(query, []);
      live(req, res);
    } else {
      sendJson(res, 404, { error: 'not found' });
    }
  };

  const live = (req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      ...SECURITY_HEADERS,
    });
    res.write('retry: 3000\n\n');
    let last = 0;
    let timer: NodeJS.Timeout | undefined;
    const notify = () => {
      if (timer) return;
      const wait = Math.max(0, last + liveIntervalMs - Date.now());
      timer = setTimeout(() => {
        timer = undefined;
        last = Date.now();
        res.write(`event: stored\ndata: ${last}\n\n`);
      }, wait);
    };
    const unsubscribe = store.onStored?.(notify) ?? (() => {});
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), 15_000);
    const close = () => {
      unsubscribe();
      clearInterval(heartbeat);
      if (timer) clearTimeout(timer);
    };
    req.on('close', close);
    res.on('error', close);
  };

  return (req, res) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return false;
    }
    if (base !== '/' && url.pathname === base.slice(0, -1)) {
      // The page's links are relative: it must be served from the folder, with its slash.
      res.writeHead(308, { location: `${base}${url.search}` });
      res.end();
      return true;
    }
    if (!url.pathname.startsWith(base)) return false;
    const path = url.pathname.slice(base.length);
    const file = path === '' ? 'index.html' : path;
    const isStatic = file in STATIC_FILES;
    if (!isStatic && !path.startsWith('api/')) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': JSON_TYPE });
      res.end(JSON.stringify({ error: 'method not allowed' }));
      return true;
    }
    if (isStatic) {
      res.writeHead(200, {
        'content-type': STATIC_FILES[file]!,
        'cache-control': 'no-cache',
        ...SECURITY_HEADERS,
      });
      res.end(req.method === 'HEAD' ? undefined : files.get(file));
      return true;
    }
    handle(req, res, path, url.searchParams).catch((error) => sendError(res, error));
    return true;
  };
}

function pageNumber(
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,10}$/.test(raw)) throw new InvalidFilterError(name, 'not a whole number');
  return Math.min(max, Math.max(min, Number(raw)));
}

function decodeId(raw: string): string {
  try {
    const id = decodeURIComponent(raw);
    if (id === '' || id.length > 1_024) throw new InvalidFilterError('conversation', 'empty or too long');
    return id;
  } catch (error) {
    if (error instanceof InvalidFilterError) throw error;
    throw new InvalidFilterError('conversation', 'not a valid URL-encoded id');
  }
}

async function exportRows(res: ServerResponse, insights: Insights, filters: Filters, format: string) {
  if (format !== 'csv' && format !== 'jsonl') {
    const others = EXPORT_FORMATS.filter((f) => f !== 'parquet').join(', ');
    throw new InvalidFilterError('format', `expected one of ${others} (parquet: spantrack export)`);
  }
  // Checked before any byte is sent, so a bad filter still gets its 400.
  await insights.conversations(filters, { limit: 1 });
  res.writeHead(200, {
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'content-disposition': `attachment; filename="conversations.${format}"`,
    'cache-control': 'no-store',
    ...SECURITY_HEADERS,
  });
  await writeTextExport(insights, filters, format, res);
  res.end();
}
