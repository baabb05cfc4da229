export const ENV_CAPTURE_MESSAGE_CONTENT = 'OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT';

/**
 * `captureMessageContent` option ?? `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT` ?? false.
 * Only `true` / `false` (any case) count; any other value leaves the default, so a typo never
 * turns capture on.
 */
export function resolveCaptureContent(option: boolean | undefined, env = process.env): boolean {
  if (option !== undefined) return option;
  const raw = env[ENV_CAPTURE_MESSAGE_CONTENT]?.trim().toLowerCase();
  if (raw === 'true') return true;
  return false;
}
