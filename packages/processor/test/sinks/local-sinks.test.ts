import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  type AnalyticsMessage,
  ConsoleSink,
  InvalidMessageError,
  JsonlFileSink,
  MemorySink,
  SinkClosedError,
} from '../../src/index';
import { makeMessages } from './fixtures';

describe('MemorySink', () => {
  it('keeps messages in order, clears, and refuses after shutdown', async () => {
    const sink = new MemorySink();
    const messages = makeMessages(3);
    expect(await sink.send(messages)).toEqual({ delivered: 3, failed: 0, errors: [] });
    expect(sink.messages).toEqual(messages);
    expect(sink.messageIds()).toEqual(['m-0', 'm-1', 'm-2']);
    sink.clear();
    expect(sink.messages).toEqual([]);
    await sink.shutdown();
    const after = await sink.send(messages);
    expect(after.failed).toBe(3);
    expect(after.errors[0]?.error).toBeInstanceOf(SinkClosedError);
  });
});

describe('ConsoleSink', () => {
  it('writes one JSON line per message', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk) => {
      text += chunk;
    });
    const sink = new ConsoleSink({ stream });
    await sink.send(makeMessages(2));
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).messageId),
    ).toEqual(['m-0', 'm-1']);
  });
});

describe('JsonlFileSink', () => {
  it('appends JSON lines, waits for drain under load, and refuses after shutdown', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'spantrack-jsonl-')), 'nested', 'out.jsonl');
    const sink = new JsonlFileSink({ path });
    const batches = Array.from({ length: 50 }, (_, i) => makeMessages(200, `b${i}`));
    const results = await Promise.all(batches.map((b) => sink.send(b)));
    expect(results.every((r) => r.delivered === 200)).toBe(true);
    await sink.flush();
    await sink.shutdown();
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(10_000);
    expect(JSON.parse(lines[0]!).messageId).toBe('b0-0');
    expect((await sink.send(makeMessages(1))).errors[0]?.error).toBeInstanceOf(SinkClosedError);

    const again = new JsonlFileSink({ path });
    await again.send(makeMessages(1, 'again'));
    await again.shutdown();
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(10_001);
  });

  it('fails the messages when the file cannot be written', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spantrack-jsonl-'));
    const sink = new JsonlFileSink({ path: dir }); // a directory: open fails
    await new Promise((r) => setTimeout(r, 50));
    const result = await sink.send(makeMessages(2));
    expect(result.failed).toBe(2);
  });
});

/** A batch of five with a BigInt in the second message and a cycle in the fourth. */
function poisonedBatch(): AnalyticsMessage[] {
  const messages = makeMessages(5, 'p');
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  (messages[1] as { properties: Record<string, unknown> }).properties.n = 10n;
  (messages[3] as { properties: Record<string, unknown> }).properties.c = cyclic;
  return messages;
}

function expectOnlyPoisonFailed(result: Awaited<ReturnType<MemorySink['send']>>): void {
  expect(result.delivered).toBe(3);
  expect(result.failed).toBe(2);
  expect(result.errors.map((e) => e.messageId)).toEqual(['p-1', 'p-3']);
  for (const { error } of result.errors) {
    expect(error).toBeInstanceOf(InvalidMessageError);
    expect(error.message).toContain('not serializable as JSON');
  }
}

describe('a message JSON cannot carry fails alone, never its batch; send never rejects', () => {
  it('JsonlFileSink', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'spantrack-jsonl-')), 'out.jsonl');
    const sink = new JsonlFileSink({ path });
    expectOnlyPoisonFailed(await sink.send(poisonedBatch()));
    await sink.shutdown();
    const ids = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).messageId);
    expect(ids).toEqual(['p-0', 'p-2', 'p-4']);
  });

  it('ConsoleSink', async () => {
    const stream = new PassThrough();
    let text = '';
    stream.on('data', (chunk) => {
      text += chunk;
    });
    expectOnlyPoisonFailed(await new ConsoleSink({ stream }).send(poisonedBatch()));
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).messageId),
    ).toEqual(['p-0', 'p-2', 'p-4']);
  });

  it('MemorySink keeps the objects as they are, and takes batches too large to spread', async () => {
    const sink = new MemorySink();
    const many = Array.from({ length: 200_000 }, () => makeMessages(1)[0]!);
    await expect(sink.send(many)).resolves.toEqual({ delivered: 200_000, failed: 0, errors: [] });
  });
});
