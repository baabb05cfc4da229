import { request } from 'node:http';

export interface PostResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * POSTs `body` (a Buffer, or a size to stream zeros of) and resolves with the answer, even when the
 * server answers before the whole body is sent. Rejects only when no answer came.
 */
export function post(
  url: string,
  body: Buffer | { streamBytes: number },
  headers: Record<string, string> = {},
): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(url, { method: 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        answered = true;
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
      res.on('error', () => {});
    });
    req.on('error', (error) => {
      if (!answered) setTimeout(() => (answered ? undefined : reject(error)), 200);
    });
    if (Buffer.isBuffer(body)) {
      req.end(body);
      return;
    }
    const chunk = Buffer.alloc(1024 * 1024);
    let left = body.streamBytes;
    const pump = () => {
      while (left > 0) {
        left -= chunk.length;
        if (req.destroyed) return;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

export async function get(url: string): Promise<{ status: number; text: string; type: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') ?? '' };
}
