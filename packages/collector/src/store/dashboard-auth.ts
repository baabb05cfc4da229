import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const COOKIE = 'spantrack_token';

/**
 * The dashboard under the collector's bearer token. A browser cannot send an `Authorization`
 * header when it opens a page, so `/?token=TOKEN` is accepted once: it sets an HttpOnly,
 * SameSite=Strict cookie and redirects to the same page without the token (kept out of history).
 * Later requests (the page's API calls included) carry the cookie. With no token set, the
 * dashboard is open, like the OTLP endpoints.
 */
export class DashboardAuth {
  private readonly token: Buffer | undefined;

  constructor(token: string | undefined) {
    this.token = token === undefined ? undefined : Buffer.from(token);
  }

  /** Serves `req` through `dashboard` when allowed; 401 otherwise. False for paths not the dashboard's. */
  handle(
    req: IncomingMessage,
    res: ServerResponse,
    dashboard: (req: IncomingMessage, res: ServerResponse) => boolean,
  ): boolean {
    const url = new URL(req.url ?? '/', 'http://collector');
    if (!isDashboardPath(url.pathname)) return false;
    if (this.token === undefined) return dashboard(req, res);
    const fromQuery = url.searchParams.get('token');
    if (fromQuery !== null && this.matches(fromQuery)) {
      url.searchParams.delete('token');
      res.writeHead(303, {
        location: `${url.pathname}${url.search}`,
        'set-cookie': `${COOKIE}=${encodeURIComponent(fromQuery)}; HttpOnly; SameSite=Strict; Path=/`,
        'cache-control': 'no-store',
      });
      res.end();
      return true;
    }
    if (this.matches(bearerOf(req)) || this.matches(cookieOf(req))) return dashboard(req, res);
    res.writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' });
    res.end("unauthorized: open the dashboard as /?token=TOKEN (the collector's bearer token)\n");
    return true;
  }

  private matches(candidate: string | undefined): boolean {
    if (candidate === undefined || this.token === undefined) return false;
    const given = Buffer.from(candidate);
    return given.length === this.token.length && timingSafeEqual(given, this.token);
  }
}

function isDashboardPath(path: string): boolean {
  return path === '/' || path.startsWith('/api/') || /^\/[\w.-]+\.(js|css|svg|ico)$/.test(path);
}

function bearerOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  return header?.startsWith('Bearer ') ? header.slice(7) : undefined;
}

function cookieOf(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...value] = part.trim().split('=');
    if (name === COOKIE) {
      try {
        return decodeURIComponent(value.join('='));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
