import { type Collector, type CollectorOptions, startCollector } from '@spantrack/collector';
import { afterAll } from 'vitest';

/**
 * A `startCollector` for one test file: HTTP on a free port, no gRPC, no environment (`options`
 * override each); every collector it started is closed after the file's tests.
 */
export function collectorsClosedAfterAll(): (options: CollectorOptions) => Promise<Collector> {
  const started: Collector[] = [];
  afterAll(async () => {
    await Promise.all(started.map((c) => c.close()));
  });
  return async (options) => {
    const c = await startCollector({ http: { port: 0 }, grpc: false, env: {}, ...options });
    started.push(c);
    return c;
  };
}
