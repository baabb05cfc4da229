// Vitest setup file of every project (root vitest.config.ts): every message the processor produces
// in a test, and every message the test Segment server receives, is validated against the tracking
// plans; a violation fails the test that made it.
import { subscribe } from 'node:diagnostics_channel';
import { afterAll, afterEach } from 'vitest';
import {
  CatalogName,
  TRACKING_PLANS,
  type TrackingPlan,
  validateMessage,
} from '../../packages/conventions/src/index';

/** The processor's channel (MESSAGE_CHANNEL_NAME); named here so the setup needs no built package. */
const CHANNEL = 'spantrack:processor:message';
/** The test Segment server's channel (VIOLATION_CHANNEL_NAME): it validates what it receives. */
const SERVER_CHANNEL = 'spantrack:segment-test-server:violation';

/** Built-in catalogs that send only their plan's events: any other event of theirs is stray. */
const CLOSED_CATALOGS = new Set<string>([CatalogName.AI_AGENT, CatalogName.CUSTOMER_SIGNALS]);
const BUILTIN_CATALOGS = new Set<string>(Object.values(CatalogName));

const userPlans: TrackingPlan[] = [];
const violations: string[] = [];

/**
 * Makes the messages of a test's own catalog checked against `plan` too (by default a user
 * catalog's messages are checked only as Segment messages). Registered for the rest of the file.
 */
export function registerTrackingPlan(plan: TrackingPlan): void {
  userPlans.push(plan);
}

interface Published {
  message: unknown;
  catalog: string;
  captureContent: boolean;
}

subscribe(CHANNEL, (data) => {
  const { message, catalog, captureContent } = data as Published;
  const builtin = BUILTIN_CATALOGS.has(catalog);
  const result = validateMessage(message, builtin ? TRACKING_PLANS : userPlans, { captureContent });
  const name = (message as { event?: unknown })?.event ?? 'identify';
  for (const e of result.errors) {
    violations.push(`${catalog} ${JSON.stringify(name)}: ${e.path || '(message)'} ${e.message}`);
  }
  if (result.valid && result.checkedBy.length === 0 && CLOSED_CATALOGS.has(catalog)) {
    violations.push(`${catalog} sent ${JSON.stringify(name)}, an event its tracking plan does not name`);
  }
});

interface ServerViolation {
  path: string;
  event: string | undefined;
  at: string;
  message: string;
  plan?: string;
}

subscribe(SERVER_CHANNEL, (data) => {
  const v = data as ServerViolation;
  violations.push(
    `Segment test server received ${JSON.stringify(v.event ?? '(no event)')} on ${v.path}: ${v.at || '(message)'} ${v.message}`,
  );
});

/**
 * Hands over (and forgets) the violations found so far: for a test that breaks a plan on purpose
 * to check that the break is caught.
 */
export function takeViolations(): string[] {
  return violations.splice(0);
}

function failOnViolations(): void {
  if (violations.length === 0) return;
  const found = violations.splice(0);
  throw new Error(
    `${found.length} produced message(s) break the tracking plans:\n  ${found.slice(0, 20).join('\n  ')}`,
  );
}

afterEach(failOnViolations);
afterAll(failOnViolations);
