import type { InstrumentationConfig } from '@opentelemetry/instrumentation';

export interface OpenAIInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record message content on the spans: `gen_ai.input.messages` and `gen_ai.output.messages`.
   * Default: `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` (`true` / `false`), else `false`:
   * by default no prompt or answer text leaves the process.
   */
  captureMessageContent?: boolean;
}
