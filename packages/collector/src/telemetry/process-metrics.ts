import type { Meter } from '@opentelemetry/api';

/**
 * The process's memory as gauges read at collection, named as the Prometheus client libraries name
 * them (`process_resident_memory_bytes`), so dashboards built on those keep working.
 */
export function observeProcessMemory(meter: Meter): void {
  const rss = meter.createObservableGauge('process.resident_memory_bytes', {
    description: 'Resident memory size in bytes.',
    unit: 'By',
  });
  const heap = meter.createObservableGauge('process.heap_bytes', {
    description: 'V8 heap used, in bytes.',
    unit: 'By',
  });
  meter.addBatchObservableCallback(
    (result) => {
      const memory = process.memoryUsage();
      result.observe(rss, memory.rss);
      result.observe(heap, memory.heapUsed);
    },
    [rss, heap],
  );
}
