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

const hex = (n, len) => n.toString(16).padStart(len, '0').slice(-len);

function ctx(i) {
  return {
    'user.id': `+2547${hex(i % 5000, 8)}`,
    'gen_ai.conversation.id': `conv-${i % 2000}`,
    'spantrack.channel': 'whatsapp',
    'gen_ai.agent.name': 'tax-assistant',
  };
}

const children = [
  (i) => ({
    name: 'classify tax-assistant',
    attributes: {
      'spantrack.interaction.kind': 'classification',
      'spantrack.intent.name': 'nil_filing',
      'spantrack.intent.confidence': 0.99,
      'gen_ai.request.model': 'llama3.2:3b',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.output_tokens': 15,
      ...ctx(i),
    },
  }),
  (i) => ({
    name: 'chat llama3.2:3b',
    kind: SpanKind.CLIENT,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'llama3.2:3b',
      'gen_ai.response.model': 'llama3.2:3b',
      'gen_ai.provider.name': 'ollama',
      'gen_ai.usage.input_tokens': 480,
      'gen_ai.usage.output_tokens': 64,
      'gen_ai.conversation.id': `conv-${i % 2000}`,
      'gen_ai.agent.name': 'tax-assistant',
      'gen_ai.response.finish_reasons': ['stop'],
    },
  }),
  (i) => ({
    name: 'execute_tool lookup_pin',
    attributes: {
      'spantrack.interaction.kind': 'tool',
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'lookup_pin',
      'gen_ai.tool.call.id': `call-${i}`,
      'spantrack.action.type': 'tool',
      'spantrack.action.name': 'lookup_pin',
      'spantrack.message.role': 'agent',
      'user.id': `+2547${hex(i % 5000, 8)}`,
      'gen_ai.conversation.id': `conv-${i % 2000}`,
    },
  }),
  (i) => ({
    name: 'message customer',
    attributes: {
      'spantrack.interaction.kind': 'message',
      'spantrack.message.id': `m-${i}`,
      'spantrack.message.role': 'customer',
      'spantrack.org.id': 'org-1',
      'spantrack.workspace.id': 'ws-1',
      ...ctx(i),
    },
  }),
  (i) => ({
    name: 'customer_signal.detected',
    attributes: {
      'spantrack.interaction.kind': 'signal',
      'spantrack.signal.event': 'detected',
      'spantrack.signal.signal_type': 'dissatisfaction',
      'spantrack.signal.severity': 'medium',
      'spantrack.org.id': 'org-1',
      'spantrack.workspace.id': 'ws-1',
      'user.id': `+2547${hex(i % 5000, 8)}`,
      'gen_ai.conversation.id': `conv-${i % 2000}`,
      'spantrack.channel': 'whatsapp',
    },
  }),
  (i) => ({
    name: 'POST',
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': 'POST',
      'url.full': `https://api.example.com/v1/pins/${i}`,
      'server.address': 'api.example.com',
      'server.port': 443,
      'http.response.status_code': 200,
      'network.protocol.version': '1.1',
      'url.scheme': 'https',
      'user_agent.original': 'node',
      'http.request.body.size': 512,
    },
  }),
];

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
      {
        startTime: t0,
        attributes: {
          'spantrack.interaction.kind': 'turn',
          'gen_ai.operation.name': 'invoke_agent',
          'spantrack.input.message_id': `m-${i}-in`,
          'spantrack.output.message_id': `m-${i}-out`,
          'spantrack.output.length': 45,
          'spantrack.property.plan': 'pro',
          ...ctx(i),
        },
      },
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
