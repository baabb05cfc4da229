// Spans of one agent turn as other producers write them, for the benchmarks: OpenInference, the
// Vercel AI SDK's ai.* spans, OpenLLMetry and the official openai instrumentation, each a small
// trace (turn, model calls, tool). `(i) => [{ name, scope, parent, attributes }]`, parent an index.

const usage = { in: 480, out: 64 };

export const openInferenceTurn = (i) => [
  {
    name: 'agent',
    scope: 'openinference',
    parent: undefined,
    attributes: {
      'openinference.span.kind': 'AGENT',
      'session.id': `s-${i % 2000}`,
      'user.id': `u-${i % 5000}`,
      'agent.name': 'support',
    },
  },
  {
    name: 'OpenAI Chat Completions',
    scope: 'openinference',
    parent: 0,
    attributes: {
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'gpt-4o-mini-2024-07-18',
      'llm.system': 'openai',
      'llm.provider': 'openai',
      'llm.token_count.prompt': usage.in,
      'llm.token_count.completion': usage.out,
      'llm.token_count.total': usage.in + usage.out,
      'llm.token_count.prompt_details.cache_read': 128,
      'llm.finish_reason': 'stop',
      'input.mime_type': 'application/json',
    },
  },
  {
    name: 'lookup_order',
    scope: 'openinference',
    parent: 0,
    attributes: { 'openinference.span.kind': 'TOOL', 'tool.name': 'lookup_order' },
  },
];

export const aiSdkTurn = (i) => [
  {
    name: 'ai.generateText',
    scope: 'ai',
    parent: undefined,
    attributes: {
      'ai.operationId': 'ai.generateText',
      'operation.name': 'ai.generateText support',
      'ai.telemetry.functionId': 'support',
      'ai.model.id': 'gpt-4o',
      'ai.model.provider': 'openai.chat',
      'ai.telemetry.metadata.userId': `u-${i % 5000}`,
      'ai.telemetry.metadata.sessionId': `s-${i % 2000}`,
      'ai.usage.inputTokens': 2 * usage.in,
      'ai.usage.outputTokens': 2 * usage.out,
    },
  },
  {
    name: 'ai.generateText.doGenerate',
    scope: 'ai',
    parent: 0,
    attributes: {
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.id': 'gpt-4o',
      'ai.model.provider': 'openai.chat',
      'gen_ai.system': 'openai.chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': usage.in,
      'gen_ai.usage.output_tokens': usage.out,
      'ai.response.finishReason': 'tool-calls',
    },
  },
  {
    name: 'ai.toolCall',
    scope: 'ai',
    parent: 0,
    attributes: {
      'ai.operationId': 'ai.toolCall',
      'ai.toolCall.name': 'lookup_order',
      'ai.toolCall.id': `call_${i}`,
    },
  },
  {
    name: 'ai.generateText.doGenerate',
    scope: 'ai',
    parent: 0,
    attributes: {
      'ai.operationId': 'ai.generateText.doGenerate',
      'ai.model.id': 'gpt-4o',
      'ai.model.provider': 'openai.chat',
      'gen_ai.system': 'openai.chat',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': usage.in,
      'gen_ai.usage.output_tokens': usage.out,
      'ai.response.finishReason': 'stop',
    },
  },
];

export const openLlmetryTurn = (i) => [
  {
    name: 'support.workflow',
    scope: 'traceloop',
    parent: undefined,
    attributes: {
      'traceloop.span.kind': 'workflow',
      'traceloop.entity.name': 'support',
      'traceloop.workflow.name': 'support',
      'traceloop.association.properties.user_id': `u-${i % 5000}`,
      'traceloop.association.properties.session_id': `s-${i % 2000}`,
    },
  },
  {
    name: 'chat gpt-4o-mini',
    scope: '@traceloop/instrumentation-openai',
    parent: 0,
    attributes: {
      'gen_ai.provider.name': 'openai',
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.usage.input_tokens': usage.in,
      'gen_ai.usage.output_tokens': usage.out,
      'gen_ai.response.finish_reasons': ['stop'],
    },
  },
  {
    name: 'lookup_order.tool',
    scope: 'traceloop',
    parent: 0,
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'traceloop.span.kind': 'tool',
      'traceloop.entity.name': 'lookup_order',
    },
  },
];

export const officialOpenAiCall = (i) => [
  {
    name: 'chat gpt-4o-mini',
    scope: '@opentelemetry/instrumentation-openai',
    parent: undefined,
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.usage.input_tokens': usage.in,
      'gen_ai.usage.output_tokens': usage.out,
      'server.address': 'api.openai.com',
      'user.id': `u-${i % 5000}`,
    },
  },
];

export const PRODUCER_TURNS = [openInferenceTurn, aiSdkTurn, openLlmetryTurn, officialOpenAiCall];
