import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One OTLP/HTTP request as the receiver saw it (body gunzipped when it was gzip). */
export interface OtlpRequest {
  path: string;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:43123` (the traces path is `/v1/traces`). */
  readonly url: string;
  readonly requests: OtlpRequest[];
  /** Span names of every request: JSON parsed, protobuf searched for the expected names. */
  spanNames(expected?: readonly string[]): string[];
  close(): Promise<void>;
}

/** A minimal OTLP/HTTP traces receiver on 127.0.0.1: records each request and answers 200. */
export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: OtlpRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const encoding = req.headers['content-encoding'];
      if (encoding === 'gzip') body = gunzipSync(body);
      requests.push({
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        contentEncoding: encoding,
        headers: req.headers,
        body,
      });
      const json = req.headers['content-type'] === 'application/json';
      res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      res.end(json ? '{}' : undefined);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    spanNames(expected = []) {
      const names: string[] = [];
      for (const r of requests) {
        if (r.contentType === 'application/json') {
          const doc = JSON.parse(r.body.toString('utf8')) as {
            resourceSpans?: { scopeSpans?: { spans?: { name: string }[] }[] }[];
          };
          for (const rs of doc.resourceSpans ?? [])
            for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) names.push(s.name);
        } else {
          // Protobuf: strings are stored as-is, so a span name is found by its bytes.
          for (const name of expected) if (r.body.includes(Buffer.from(name))) names.push(name);
        }
      }
      return names;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Removes every OTEL_* and SPANTRACK_* variable for a test; returns a function that puts them back. */
export function isolateEnv(): () => void {
  const saved: Record<string, string | undefined> = {};
  for (const key of Object.keys(process.env)) {
    if (key.startsWith('OTEL_') || key.startsWith('SPANTRACK_')) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
  }
  return () => {
    for (const key of Object.keys(process.env)) {
      if (key.startsWith('OTEL_') || key.startsWith('SPANTRACK_')) delete process.env[key];
    }
    Object.assign(process.env, saved);
  };
}
