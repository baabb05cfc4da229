export { OllamaInstrumentation } from './instrumentation';
export type { OllamaInstrumentationConfig } from './types';
