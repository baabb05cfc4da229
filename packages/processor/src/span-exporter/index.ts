export { AnalyticsSpanExporter } from './analytics-span-exporter';
export type { AnalyticsSpanExporterOptions, AnalyticsSpanExporterStats } from './types';
