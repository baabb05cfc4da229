// The spans of one realistic agent turn, shared by the benchmarks: a turn (invoke_agent) with a
// classification, an LLM chat call, a tool call, a customer message, a customer signal and a plain
// HTTP client span, about 9-10 attributes each. Each shape is `(i) => ({ name, kind?, attributes })`,
// `i` varying the ids so that caches and dictionaries see realistic variety.
import { SpanKind } from '@opentelemetry/api';

export const hex = (n, len) => n.toString(16).padStart(len, '0').slice(-len);

/** What every span of a conversation carries (copied from the scope at onStart). */
export function conversationContext(i) {
  return {
    'user.id': `+2547${hex(i % 5000, 8)}`,
    'gen_ai.conversation.id': `conv-${i % 2000}`,
    'spantrack.channel': 'whatsapp',
    'gen_ai.agent.name': 'tax-assistant',
  };
}

export const turn = (i) => ({
  name: 'invoke_agent tax-assistant',
  attributes: {
    ...conversationContext(i),
    'spantrack.interaction.kind': 'turn',
    'gen_ai.operation.name': 'invoke_agent',
    'spantrack.input.message_id': `m-${i}-in`,
    'spantrack.output.message_id': `m-${i}-out`,
    'spantrack.output.length': 45,
    'spantrack.property.plan': 'pro',
  },
});

export const classification = (i) => ({
  name: 'classify tax-assistant',
  attributes: {
    ...conversationContext(i),
    'spantrack.interaction.kind': 'classification',
    'spantrack.intent.name': 'nil_filing',
    'spantrack.intent.confidence': 0.99,
    'gen_ai.request.model': 'llama3.2:3b',
    'gen_ai.provider.name': 'ollama',
    'gen_ai.usage.input_tokens': 120,
    'gen_ai.usage.output_tokens': 15,
  },
});

export const chat = (i) => ({
  name: 'chat llama3.2:3b',
  kind: SpanKind.CLIENT,
  attributes: {
    ...conversationContext(i),
    'gen_ai.operation.name': 'chat',
    'gen_ai.request.model': 'llama3.2:3b',
    'gen_ai.response.model': 'llama3.2:3b',
    'gen_ai.provider.name': 'ollama',
    'gen_ai.usage.input_tokens': 480,
    'gen_ai.usage.output_tokens': 64,
    'gen_ai.response.finish_reasons': ['stop'],
  },
});

export const tool = (i) => ({
  name: 'execute_tool lookup_pin',
  attributes: {
    ...conversationContext(i),
    'spantrack.interaction.kind': 'tool',
    'gen_ai.operation.name': 'execute_tool',
    'gen_ai.tool.name': 'lookup_pin',
    'gen_ai.tool.call.id': `call-${i}`,
    'spantrack.action.type': 'tool',
    'spantrack.action.name': 'lookup_pin',
    'spantrack.message.role': 'agent',
  },
});

export const customerMessage = (i) => ({
  name: 'message customer',
  attributes: {
    ...conversationContext(i),
    'spantrack.interaction.kind': 'message',
    'spantrack.message.id': `m-${i}`,
    'spantrack.message.role': 'customer',
    'spantrack.org.id': 'org-1',
    'spantrack.workspace.id': 'ws-1',
    ...(i % 10 === 0 ? { 'spantrack.conversation.event': 'started' } : {}),
  },
});

export const signal = (i) => ({
  name: 'customer_signal.detected',
  attributes: {
    ...conversationContext(i),
    'spantrack.interaction.kind': 'signal',
    'spantrack.signal.event': 'detected',
    'spantrack.signal.signal_type': 'dissatisfaction',
    'spantrack.signal.severity': 'medium',
    'spantrack.org.id': 'org-1',
    'spantrack.workspace.id': 'ws-1',
  },
});

export const httpClient = (i) => ({
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
});
