// The collector remembers the messageIds it delivered (its exactly-once window), so replaying the
// same recorded request measures nothing after the first time: it is acknowledged without reaching
// the sink. Copies whose trace ids differ (messageIds derive from trace and span ids) give distinct
// events with the very same shape and size.
import { gzipSync } from 'node:zlib';

/** Every trace id a recorded request holds, read from its OTLP/JSON twin (hex). */
function traceIdsOf(json) {
  const ids = new Set();
  for (const rs of JSON.parse(json.toString('utf8')).resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? []) for (const span of ss.spans ?? []) ids.add(span.traceId);
  return [...ids].map((hex) => Buffer.from(hex, 'hex'));
}

/** Offsets of each 16-byte trace id in a protobuf body (after its `trace_id` tag and length). */
function offsetsOf(body, ids) {
  const offsets = [];
  for (const id of ids) {
    for (let at = body.indexOf(id); at !== -1; at = body.indexOf(id, at + 1)) offsets.push(at);
  }
  return offsets;
}

/**
 * `count` gzipped protobuf bodies: copy k of recorded request k % n with the last 4 bytes of each
 * trace id XORed with k's round number, so no two copies share a trace id.
 */
export function distinctGzippedBodies(requests, count) {
  const plans = requests.protobuf.map((body, i) => ({
    body,
    offsets: offsetsOf(body, traceIdsOf(requests.json[i])),
  }));
  const bodies = [];
  for (let k = 0; k < count; k++) {
    const { body, offsets } = plans[k % plans.length];
    const copy = Buffer.from(body);
    const round = Math.floor(k / plans.length) + 1;
    for (const at of offsets) copy.writeUInt32BE((copy.readUInt32BE(at + 12) ^ round) >>> 0, at + 12);
    bodies.push(gzipSync(copy));
  }
  return bodies;
}
