/** Instrumentation scope of the spans and metrics. Kept in step with package.json. */
export const PACKAGE_NAME = '@spantrack/instrumentation-ollama';
export const PACKAGE_VERSION = '0.1.0';
