import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type SegmentServer, startSegmentServer } from '@spantrack/segment-test-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import packageJson from '../../package.json';
import {
  type AnalyticsMessage,
  ConsoleSink,
  JsonlFileSink,
  SegmentSink,
  type SegmentTransport,
  SPANTRACK_LIBRARY,
  SpantrackConfigError,
} from '../../src/index';
import { makeMessages, WRITE_KEY } from './fixtures';

/*
 * Every event names who produced it in `context.library`: spantrack, at this package's real
 * version, and never `@segment/analytics-node` (which the real client writes into every event it
 * sends); a `library` option overrides it. Checked where the events land: at the Segment-compatible
 * test server for both transports, and in the lines of the JSONL and console sinks.
 */

const SPANTRACK = { name: '@spantrack/processor', version: packageJson.version };
const CUSTOM = { name: 'acme-agent', version: '2.3.4' };

const withCallerLibrary: AnalyticsMessage = {
  type: 'track',
  messageId: 'caller-library',
  timestamp: '2025-01-01T00:00:00.000Z',
  userId: 'u-1',
  event: 'ai.error',
  properties: { error_type: 'timeout' },
  context: { library: { name: 'someone-else', version: '9', extra: 'kept' }, channel: 'web' },
};

it('SPANTRACK_LIBRARY is this package at the version in its package.json', () => {
  expect(SPANTRACK_LIBRARY).toEqual(SPANTRACK);
  expect(SPANTRACK.version).toMatch(/^\d+\.\d+\.\d+/);
});

describe.each<SegmentTransport>(['analytics-node', 'publisher'])('SegmentSink, %s transport', (transport) => {
  let server: SegmentServer;
  beforeAll(async () => {
    server = await startSegmentServer({ writeKey: WRITE_KEY });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(() => server.reset());

  async function deliver(messages: AnalyticsMessage[], library?: { name: string; version: string }) {
    const sink = new SegmentSink({
      writeKey: WRITE_KEY,
      host: server.url,
      transport,
      flushInterval: 20,
      library,
    });
    const result = await sink.send(messages);
    await sink.shutdown();
    expect(result.failed).toBe(0);
    return server.messages;
  }

  it('names spantrack in context.library of every event, not @segment/analytics-node', async () => {
    const received = await deliver([...makeMessages(12), withCallerLibrary]);
    expect(received).toHaveLength(13);
    for (const m of received) expect((m.context as { library: unknown }).library).toMatchObject(SPANTRACK);
    const caller = received.find((m) => m.messageId === 'caller-library');
    expect(caller?.context).toEqual({ library: { ...SPANTRACK, extra: 'kept' }, channel: 'web' });
    expect(JSON.stringify(received)).not.toContain('@segment/analytics-node');
  });

  it('names the library given as an option', async () => {
    const received = await deliver(makeMessages(3), CUSTOM);
    expect(received.map((m) => (m.context as { library: unknown }).library)).toEqual([
      CUSTOM,
      CUSTOM,
      CUSTOM,
    ]);
  });
});

describe('line sinks', () => {
  function consoleLines(library?: { name: string; version: string }) {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk) => {
      text += chunk;
    });
    return {
      sink: new ConsoleSink({ stream, ...(library && { library }) }),
      lines: () =>
        text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)),
    };
  }

  it('ConsoleSink writes context.library into every line, and leaves the message objects alone', async () => {
    const { sink, lines } = consoleLines();
    const messages = [...makeMessages(2), withCallerLibrary];
    const before = JSON.stringify(messages);
    await sink.send(messages);
    expect(lines().map((l) => l.context.library)).toEqual([
      SPANTRACK,
      SPANTRACK,
      { ...SPANTRACK, extra: 'kept' },
    ]);
    expect(JSON.stringify(messages)).toBe(before);
    const custom = consoleLines(CUSTOM);
    await custom.sink.send(makeMessages(1));
    expect(custom.lines()[0].context.library).toEqual(CUSTOM);
  });

  it('JsonlFileSink writes context.library into every line; a message without context gets one', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'spantrack-library-')), 'events.jsonl');
    const sink = new JsonlFileSink({ path, library: CUSTOM });
    const { context: _, ...noContext } = makeMessages(1)[0]!;
    await sink.send([noContext as AnalyticsMessage, ...makeMessages(1)]);
    await sink.shutdown();
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.context.library)).toEqual([CUSTOM, CUSTOM]);
    const defaults = new JsonlFileSink({ path: `${path}.2` });
    await defaults.send(makeMessages(1));
    await defaults.shutdown();
    expect(JSON.parse(readFileSync(`${path}.2`, 'utf8')).context.library).toEqual(SPANTRACK);
  });

  it('a malformed library option is a typed error', () => {
    expect(() => new ConsoleSink({ library: { name: '', version: '1' } })).toThrow(SpantrackConfigError);
    expect(
      () => new SegmentSink({ writeKey: WRITE_KEY, library: 'spantrack' as unknown as typeof CUSTOM }),
    ).toThrow(/library/);
  });
});
