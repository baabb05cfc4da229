// OTLP export requests as the real exporters send them: agent traces recorded by the real SDK
// (spans.mjs), serialized by the real @opentelemetry/otlp-transformer, ~500 spans a request (the
// BatchSpanProcessor's default export batch is 512). Saved to one file so that every benchmark
// round, each in its own process, replays the very same bytes.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { recordTraces, SPANS_PER_TRACE } from './spans.mjs';

export const TRACES_PER_REQUEST = Math.floor(504 / SPANS_PER_TRACE);
export const SPANS_PER_REQUEST = TRACES_PER_REQUEST * SPANS_PER_TRACE;

/** `count` distinct requests in each encoding: { protobuf, protobufGzip, json, jsonGzip } lists of Buffers. */
export function recordRequests(count) {
  const protobuf = [];
  const json = [];
  for (let i = 0; i < count; i++) {
    const batch = recordTraces(TRACES_PER_REQUEST, { serviceName: `bench-${i}` });
    protobuf.push(Buffer.from(ProtobufTraceSerializer.serializeRequest(batch)));
    json.push(Buffer.from(JsonTraceSerializer.serializeRequest(batch)));
  }
  return {
    protobuf,
    protobufGzip: protobuf.map((b) => gzipSync(b)),
    json,
    jsonGzip: json.map((b) => gzipSync(b)),
  };
}

/** Writes the four lists to `file`: per body, its list's index (1 byte), its length (4 bytes), the bytes. */
export function saveRequests(requests, file) {
  const parts = [];
  Object.values(requests).forEach((list, k) => {
    for (const body of list) {
      const head = Buffer.alloc(5);
      head.writeUInt8(k, 0);
      head.writeUInt32LE(body.length, 1);
      parts.push(head, body);
    }
  });
  writeFileSync(file, Buffer.concat(parts));
}

export function loadRequests(file) {
  const data = readFileSync(file);
  const lists = [[], [], [], []];
  for (let at = 0; at < data.length; ) {
    const k = data.readUInt8(at);
    const length = data.readUInt32LE(at + 1);
    lists[k].push(data.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  const [protobuf, protobufGzip, json, jsonGzip] = lists;
  return { protobuf, protobufGzip, json, jsonGzip };
}
