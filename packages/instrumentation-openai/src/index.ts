export { OpenAIInstrumentation } from './instrumentation';
export type { OpenAIInstrumentationConfig } from './types';
