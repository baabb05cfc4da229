import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  CONVERSATION_TRACKING_PLAN,
  CUSTOMER_SIGNALS_TRACKING_PLAN,
  type JsonSchema,
  SEGMENT_COPILOT_TRACKING_PLAN,
  TRACKING_PLANS,
  type TrackingPlan,
} from '../src/index';
import { referenceAjv } from './reference-ajv';

const eventsOf = (plan: TrackingPlan) => plan.rules.events ?? [];
const bodyOf = (rules: JsonSchema): JsonSchema => rules.properties?.properties ?? {};
const byName = (name: string) => TRACKING_PLANS.find((p) => p.name === name)!;

describe('the plan files', () => {
  it('are the four plans, each also shipped as its own JSON file', () => {
    const files = readdirSync(new URL('../tracking-plans/', import.meta.url)).sort();
    expect(files).toEqual([
      'ai-agent.json',
      'conversation.json',
      'customer-signals.json',
      'segment-copilot.json',
    ]);
    for (const plan of TRACKING_PLANS) {
      const text = readFileSync(new URL(`../tracking-plans/${plan.name}.json`, import.meta.url), 'utf8');
      expect(JSON.parse(text)).toEqual(plan);
    }
  });

  // Letter for letter as the source documents spell them.
  it.each([
    ['ai-agent', ['ai.classification', 'ai.generation', 'ai.error']],
    [
      'segment-copilot',
      [
        'Conversation Started',
        'Message Sent',
        'Message Received',
        'Conversation Ended',
        'Action Invoked',
        'Media Generated',
        'Component Loaded',
        'Feedback Submitted',
      ],
    ],
    [
      'customer-signals',
      [
        'customer_signal.detected',
        'customer_signal.severe_negative_detected',
        'customer_signal.success_detected',
        'customer_signal.theme_clustered',
        'ai_triage.completed',
        'ai_triage.escalation_triggered',
        'ai_reply.generated',
        'ai_reply.sent',
        'ai_reply.kb_gap_detected',
        'interaction.outcome_resolved',
        'interaction.outcome_recovered',
        'interaction.outcome_reopened',
        'interaction.outcome_handoff_completed',
      ],
    ],
    [
      'conversation',
      ['Conversation Started', 'Message Sent', 'Message Received', 'Action Invoked', 'Conversation Ended'],
    ],
  ])('%s names its events as its source document does', (name, events) => {
    expect(eventsOf(byName(name)).map((e) => e.name)).toEqual(events);
  });

  it('are valid draft-07 JSON Schemas, event by event', () => {
    const ajv = referenceAjv();
    let schemas = 0;
    for (const plan of TRACKING_PLANS) {
      for (const rules of [...eventsOf(plan).map((e) => e.rules), plan.rules.identify].filter(Boolean)) {
        expect(rules!.$schema).toBe('http://json-schema.org/draft-07/schema#');
        expect(ajv.validateSchema(rules!), JSON.stringify(ajv.errors)).toBe(true);
        ajv.compile(rules!);
        schemas++;
      }
    }
    expect(schemas).toBe(3 + 9 + 13 + 5);
  });

  it('type and describe every property, and require only declared ones', () => {
    for (const plan of TRACKING_PLANS) {
      for (const e of eventsOf(plan)) {
        expect(e.description, e.name).toBeTruthy();
        const body = bodyOf(e.rules);
        const props = body.properties ?? {};
        for (const [key, schema] of Object.entries(props)) {
          expect(schema.type, `${e.name}.${key}`).toBeDefined();
          expect(schema.description, `${e.name}.${key}`).toBeTruthy();
        }
        for (const key of body.required ?? []) expect(props, `${e.name} requires ${key}`).toHaveProperty(key);
        expect(typeof body.additionalProperties, e.name).toBe('boolean');
      }
    }
  });

  it('mark exactly the message texts as content', () => {
    const content: string[] = [];
    for (const plan of TRACKING_PLANS)
      for (const e of eventsOf(plan))
        for (const [key, s] of Object.entries(bodyOf(e.rules).properties ?? {}))
          if (s['x-spantrack-content'] === true) content.push(`${plan.name} ${e.name}.${key}`);
    expect(content).toEqual([
      'ai-agent ai.classification.input_text',
      'segment-copilot Message Sent.message_body',
      'segment-copilot Message Received.message_body',
      'conversation Message Sent.message_body',
      'conversation Message Received.message_body',
    ]);
  });

  it('require org_id, workspace_id, user_id and timestamp on every customer-signals event', () => {
    for (const e of eventsOf(CUSTOMER_SIGNALS_TRACKING_PLAN)) {
      expect(bodyOf(e.rules).required).toEqual(['org_id', 'workspace_id', 'user_id', 'timestamp']);
      expect(bodyOf(e.rules).properties?.timestamp?.format).toBe('date-time');
    }
  });

  it('allow undeclared properties except on the conversation lifecycle events', () => {
    const closed = TRACKING_PLANS.flatMap((p) =>
      eventsOf(p)
        .filter((e) => bodyOf(e.rules).additionalProperties === false)
        .map((e) => `${p.name} ${e.name}`),
    );
    expect(closed).toEqual([
      'segment-copilot Conversation Started',
      'segment-copilot Conversation Ended',
      'conversation Conversation Started',
      'conversation Conversation Ended',
    ]);
  });

  it('describe the conversation events exactly as the Copilot plan does, apart from descriptions', () => {
    const strip = (s: JsonSchema): unknown =>
      JSON.parse(JSON.stringify(s), (k, v) => (k === 'description' ? undefined : v));
    for (const e of eventsOf(CONVERSATION_TRACKING_PLAN)) {
      const copilot = eventsOf(SEGMENT_COPILOT_TRACKING_PLAN).find((c) => c.name === e.name)!;
      expect(strip(bodyOf(e.rules)), e.name).toEqual(strip(bodyOf(copilot.rules)));
    }
  });
});
