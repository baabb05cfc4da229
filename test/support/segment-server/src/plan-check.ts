import { TRACKING_PLANS, type TrackingPlan, validateMessage } from '@spantrack/conventions';

/** One way an accepted message breaks a tracking plan. */
export interface PlanViolation {
  /** The request path it came in on (`/v1/batch`, ...). */
  path: string;
  messageId: string | undefined;
  /** The track event's name, `identify`, or undefined. */
  event: string | undefined;
  /** Where in the message (`properties.confidence`). */
  at: string;
  message: string;
  plan?: string;
}

/**
 * The plans to check against, or undefined when checking is off: the option, else
 * SEGMENT_TEST_SERVER_VALIDATE (`1` / `0`), else on under Vitest (the VITEST variable it sets).
 */
export function resolvePlans(
  option: boolean | readonly TrackingPlan[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
): readonly TrackingPlan[] | undefined {
  const fromEnv = env.SEGMENT_TEST_SERVER_VALIDATE;
  const on = option ?? (fromEnv === undefined || fromEnv === '' ? env.VITEST !== undefined : fromEnv === '1');
  if (on === false) return undefined;
  return on === true ? TRACKING_PLANS : on;
}

export function validateAgainstPlans(
  message: Record<string, unknown>,
  plans: readonly TrackingPlan[],
  path: string,
): PlanViolation[] {
  const result = validateMessage(message, plans);
  if (result.valid) return [];
  const messageId = typeof message.messageId === 'string' ? message.messageId : undefined;
  return result.errors.map((e) => ({
    path,
    messageId,
    event: e.event,
    at: e.path,
    message: e.message,
    ...(e.plan !== undefined ? { plan: e.plan } : {}),
  }));
}
