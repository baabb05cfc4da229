// Realistic agent traces recorded by the real OpenTelemetry SDK, for the collector bench: each trace
// is a turn (invoke_agent, the root) with a classification, a chat generation, a tool call, a customer
// message, a customer signal and a plain HTTP client span under it; ~9 attributes per span.
import { context, SpanKind, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import {
  chat,
  classification,
  customerMessage,
  httpClient,
  signal,
  tool,
  turn,
} from '../support/agent-span-shapes.mjs';

const children = [classification, chat, tool, customerMessage, signal, httpClient];

/** Spans per trace: the root turn and its children. */
export const SPANS_PER_TRACE = children.length + 1;

/**
 * `traces` agent traces as the SDK records them (`ReadableSpan`s, children before their root, as
 * they end), in one resource and one instrumentation scope.
 */
export function recordTraces(traces, { serviceName = 'collector-bench' } = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': serviceName,
      'service.version': '1.4.2',
      'deployment.environment.name': 'production',
      'telemetry.sdk.language': 'nodejs',
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('@spantrack/instrumentation', '0.1.0');
  const base = Date.now() - 60_000;
  for (let i = 0; i < traces; i++) {
    const t0 = base + i;
    const root = tracer.startSpan(
      'invoke_agent tax-assistant',
      { startTime: t0, attributes: turn(i).attributes },
      context.active(),
    );
    const parent = trace.setSpan(context.active(), root);
    for (const shape of children) {
      const s = shape(i);
      const span = tracer.startSpan(
        s.name,
        { startTime: t0 + 1, kind: s.kind ?? SpanKind.INTERNAL, attributes: s.attributes },
        parent,
      );
      span.end(t0 + 300);
    }
    root.end(t0 + 450);
  }
  return exporter.getFinishedSpans();
}
