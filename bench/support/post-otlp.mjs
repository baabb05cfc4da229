// How the collector benchmarks send: one recorded OTLP/HTTP request body (gzipped protobuf, as the
// real exporter sends it) per POST, over the caller's keep-alive agent.
import { request } from 'node:http';

/**
 * POSTs `body` to `url` through `agent`; resolves with the status code once the answer is read, or
 * with 'network' when the request fails (never rejects, so a sender loop counts it and goes on).
 */
export function postProtobufGzip(agent, url, body) {
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/x-protobuf',
          'content-encoding': 'gzip',
          'content-length': String(body.length),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', () => resolve('network'));
    req.end(body);
  });
}
