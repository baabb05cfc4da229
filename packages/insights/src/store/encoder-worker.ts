// The store's encoder thread (built as `dist/store-encoder.js`, started by `ThreadEncoder`): runs
// `EncoderCore` on the messages the store posts, and asks the store for the lookups in its table.
import { parentPort, workerData } from 'node:worker_threads';
import type { AnalyticsMessage } from '@spantrack/processor';
import { EncoderCore, rebuiltError } from './encoder';
import type { FromEncoderThread, ToEncoderThread } from './encoder-thread';
import { StoredIds, type StoredIdsState } from './stored-ids';

const port = parentPort;
if (port === null) throw new Error('the store encoder runs as a worker thread of the event store');

const core = new EncoderCore(StoredIds.fromState(workerData as StoredIdsState));
const lookups = new Map<number, { resolve: (found: Set<string>) => void; reject: (error: Error) => void }>();
const post = (message: FromEncoderThread, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

port.on('message', (m: ToEncoderThread) => {
  switch (m.kind) {
    case 'add':
      core.add(m.send, JSON.parse(m.json) as AnalyticsMessage[]);
      break;
    case 'messages':
      core.add(m.send, m.messages);
      break;
    case 'converted':
      core.addConverted(m.send, { rows: m.rows, unstorable: m.unstorable });
      break;
    case 'ids':
      core.replaceIds(StoredIds.fromState(m.state));
      break;
    case 'found':
      lookups.get(m.batch)?.resolve(new Set(m.ids));
      break;
    case 'lookup-failed':
      lookups.get(m.batch)?.reject(rebuiltError(m.name, m.message));
      break;
    case 'encode':
      encode(m.batch, m.sends);
      break;
  }
});

async function encode(batch: number, sends: readonly number[]) {
  try {
    const { rows: _values, ...result } = await core.encode(
      sends,
      (ids) =>
        new Promise<Set<string>>((resolve, reject) => {
          lookups.set(batch, { resolve, reject });
          post({ kind: 'lookup', batch, ids });
        }),
    );
    post({ kind: 'encoded', batch, result }, result.dropped ? [result.dropped.buffer as ArrayBuffer] : []);
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    post({ kind: 'failed', batch, name: e.name, message: e.message });
  } finally {
    lookups.delete(batch);
  }
}
