// `@spantrack/instrumentation/model-call`: what the LLM-client instrumentations
// (`@spantrack/instrumentation-ollama`, `@spantrack/instrumentation-openai`) share: one client span
// and its GenAI metrics per model request, the content-capture switch, streamed answers.
export {
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  commonCallAttributes,
  serverAttributes,
} from './call-attributes';
export { ENV_CAPTURE_MESSAGE_CONTENT, resolveCaptureContent } from './capture-content';
export { GenAiClientInstrumentation } from './client-instrumentation';
export {
  ATTR_GEN_AI_TOKEN_TYPE,
  createGenAiClientHistograms,
  DURATION_BUCKETS_SECONDS,
  GEN_AI_TOKEN_TYPE_VALUE_INPUT,
  GEN_AI_TOKEN_TYPE_VALUE_OUTPUT,
  type GenAiClientHistograms,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  TOKEN_BUCKETS,
} from './genai-client-metrics';
export { type CallOutcome, type CallStart, type Instruments, ModelCall } from './model-call';
export { type StreamEnd, tracedChunks } from './traced-chunks';
