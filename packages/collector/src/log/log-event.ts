/** One thing the collector reports: a stable `msg` key, a level, and fields (snake_case). */
export interface LogEvent {
  level: 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}
