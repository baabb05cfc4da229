#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { startSegmentServer } from './server';

// `segment-test-server --port 0 --write-key KEY [--record ids|messages] [--lenient]` prints
// `{"url":...,"port":...,"pid":...}` as one line on stdout, then serves until SIGTERM / SIGINT.
// Control endpoints for another process: GET /__stats, POST /__fault (a SegmentFault or null), POST /__reset.
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'write-key': { type: 'string' },
    record: { type: 'string', default: 'ids' },
    lenient: { type: 'boolean', default: false },
  },
});

const writeKey = values['write-key'];
if (!writeKey) {
  process.stderr.write('segment-test-server: --write-key is required\n');
  process.exit(2);
}

async function main(writeKey: string) {
  // Handlers first: a signal right after the address line (the parent's cue) must close the server.
  let server: Awaited<ReturnType<typeof startSegmentServer>> | undefined;
  let stopping = false;
  const stop = () => {
    stopping = true;
    if (server) server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  server = await startSegmentServer({
    writeKey,
    port: Number(values.port),
    host: values.host,
    record: values.record === 'messages' ? 'messages' : 'ids',
    strict: !values.lenient,
  });
  process.stdout.write(`${JSON.stringify({ url: server.url, port: server.port, pid: process.pid })}\n`);
  if (stopping) stop();
}

main(writeKey).catch((error: unknown) => {
  process.stderr.write(`segment-test-server: ${String(error)}\n`);
  process.exit(1);
});
