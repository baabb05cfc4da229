import { TRACKING_PLANS } from '@spantrack/conventions';

/**
 * Event name → the properties its tracking plan requires, for every built-in plan. A message whose
 * required property the `redact` hook failed on is not sent: without it the event breaks its plan
 * (the catalogs never send such an event either).
 */
export const REQUIRED_PROPERTIES: ReadonlyMap<string, readonly string[]> = (() => {
  const map = new Map<string, string[]>();
  for (const plan of TRACKING_PLANS) {
    for (const event of plan.rules.events ?? []) {
      const required = event.rules.properties?.properties?.required ?? [];
      if (required.length === 0) continue;
      const known = map.get(event.name) ?? [];
      for (const key of required) if (!known.includes(key)) known.push(key);
      map.set(event.name, known);
    }
  }
  return map;
})();
