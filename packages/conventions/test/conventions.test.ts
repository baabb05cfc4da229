import { describe, expect, it } from 'vitest';
import * as conventions from '../src/index';
import {
  AiAgentEvent,
  CONTENT_ATTRIBUTE_KEYS,
  CONTEXT_ATTRIBUTE_KEYS,
  CopilotEvent,
  CustomerSignalEvent,
  InteractionKind,
} from '../src/index';
import aiAgentPlan from '../tracking-plans/ai-agent.json';
import customerSignalsPlan from '../tracking-plans/customer-signals.json';
import copilotPlan from '../tracking-plans/segment-copilot.json';

const namesOf = (plan: { rules: { events: { name: string }[] } }): string[] =>
  plan.rules.events.map((e) => e.name);

describe('event-name constants are the plan files', () => {
  it('AiAgentEvent lists the AI agent tracking plan', () => {
    expect(Object.values(AiAgentEvent)).toEqual(namesOf(aiAgentPlan));
  });
  it("CopilotEvent lists Segment's AI Copilot spec", () => {
    expect(Object.values(CopilotEvent)).toEqual(namesOf(copilotPlan));
  });
  it('CustomerSignalEvent lists the customer-signals tracking plan', () => {
    expect(Object.values(CustomerSignalEvent)).toEqual(namesOf(customerSignalsPlan));
  });
});

describe('attribute keys', () => {
  const keys = Object.entries(conventions)
    .filter(([name, value]) => name.startsWith('ATTR_') && typeof value === 'string')
    .map(([, value]) => value as string);

  it('are unique', () => {
    expect(new Set(keys).size).toBe(keys.length);
  });
  it('are namespaced by OpenTelemetry or spantrack', () => {
    for (const key of keys)
      expect(key).toMatch(/^(gen_ai|spantrack|error|exception|service|user)\.[a-z_.]+$/);
  });
  it('mark every optional payload field of the customer-signals tracking plan with one key', () => {
    const common = new Set([
      'org_id',
      'workspace_id',
      'user_id',
      'timestamp',
      'channel_type',
      'app_surface',
      'result',
      'error_code',
    ]);
    const fields = new Set<string>();
    for (const e of customerSignalsPlan.rules.events)
      for (const f of Object.keys(e.rules.properties.properties.properties))
        if (!common.has(f)) fields.add(f);
    expect(fields.size).toBe(13);
    for (const field of fields) {
      expect(keys.some((k) => k.startsWith('spantrack.') && k.endsWith(`.${field}`))).toBe(true);
    }
  });
  it('list the context and content keys among the exported keys', () => {
    for (const key of [...CONTEXT_ATTRIBUTE_KEYS, ...CONTENT_ATTRIBUTE_KEYS]) expect(keys).toContain(key);
  });
  it('include both spellings of renamed GenAI keys', () => {
    expect(keys).toEqual(
      expect.arrayContaining([
        'gen_ai.system',
        'gen_ai.provider.name',
        'gen_ai.usage.prompt_tokens',
        'gen_ai.usage.input_tokens',
        'gen_ai.usage.completion_tokens',
        'gen_ai.usage.output_tokens',
      ]),
    );
  });
});

describe('interaction kinds', () => {
  it('cover every interaction the span model describes', () => {
    expect(Object.values(InteractionKind).sort()).toEqual(
      [
        'classification',
        'generation',
        'tool',
        'turn',
        'identify',
        'conversation',
        'message',
        'feedback',
        'media',
        'component',
        'error',
        'signal',
        'triage',
        'reply',
        'outcome',
        'track',
      ].sort(),
    );
  });
});
