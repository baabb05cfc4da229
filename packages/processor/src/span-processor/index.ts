export { AnalyticsSpanProcessor } from './analytics-span-processor';
export type { AnalyticsSpanProcessorOptions, AnalyticsSpanProcessorStats } from './types';
