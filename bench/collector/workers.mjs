// `--workers 2` against `--workers 1`: spans/s the collector CLI accepts (200 answers × spans per
// request) from a light sender in this process, which replays recorded gzipped protobuf requests
// over keep-alive connections; null sink, so the collector's own work is what is measured. Every
// round starts a fresh collector; the harness interleaves the two and reports their spread.
import { spawn } from 'node:child_process';
import { Agent } from 'node:http';
import { loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { postProtobufGzip } from '../support/post-otlp.mjs';

/** The collector CLI with `workers` workers; resolves with its traces URL and the child. */
async function startCollector(cli, workers) {
  const child = spawn(
    process.execPath,
    [cli, '--workers', String(workers), '--http-port', '0', '--grpc-port', 'off', '--sink', 'none'],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = /OTLP\/HTTP listening on (\S+)/.exec(line);
      if (m) resolve(`${m[1]}/v1/traces`);
    });
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
  });
  return { child, url };
}

/** `senders` connections posting back to back for `ms`; spans acknowledged per second. */
async function drive(url, bodies, spansPerRequest, senders, ms) {
  const agent = new Agent({ keepAlive: true, maxSockets: senders });
  let ok = 0;
  let i = 0;
  const deadline = performance.now() + ms;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: senders }, async () => {
      while (performance.now() < deadline) {
        if ((await postProtobufGzip(agent, url, bodies[i++ % bodies.length])) === 200) ok++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return (ok * spansPerRequest) / seconds;
}

/** One contender of the comparison: a round starts a collector, warms it up, measures, stops it. */
export function workersContender({
  cli,
  workers,
  bodies,
  spansPerRequest,
  warmupMs,
  measureMs,
  senders,
  loads,
}) {
  return {
    name: `${workers} worker${workers > 1 ? 's' : ''}`,
    run: async () => {
      const { child, url } = await startCollector(cli, workers);
      try {
        await drive(url, bodies, spansPerRequest, senders, warmupMs);
        const rate = await drive(url, bodies, spansPerRequest, senders, measureMs);
        loads.push(loadavg()[0]);
        return rate;
      } finally {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    },
  };
}
