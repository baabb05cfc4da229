export { AnalyticsSpanProcessor } from './analytics-span-processor';
export type { AnalyticsSpanProcessorOptions, AnalyticsSpanProcessorStats, TraceHoldOptions } from './types';
