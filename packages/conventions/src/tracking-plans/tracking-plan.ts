import type { JsonSchema } from './json-schema';

/** One event of a tracking plan, as Segment Protocols' Config API takes it. */
export interface TrackingPlanEvent {
  /** The event name, letter for letter. */
  name: string;
  description?: string;
  version?: number;
  /** draft-07 JSON Schema over the whole message: `properties.properties`, `properties.context`. */
  rules: JsonSchema;
  /** spantrack annotation: the key of the event-name constant generated for it. */
  'x-spantrack-constant'?: string;
  /** spantrack annotation: the TypeScript interface generated for its properties. */
  'x-spantrack-type'?: string;
}

/**
 * A tracking plan in the shape of Segment Protocols' tracking-plan JSON (Config API `rules`): a
 * JSON Schema per event, plus optional schemas every identify (`identify`) or every message
 * (`global`) must satisfy. Pass your own to `validateMessage` to check your catalogs' messages.
 */
export interface TrackingPlan {
  /** Short unique name (the built-in plans use their catalog's name). */
  name: string;
  display_name?: string;
  description?: string;
  rules: {
    events?: TrackingPlanEvent[];
    identify?: JsonSchema;
    global?: JsonSchema;
  };
}
