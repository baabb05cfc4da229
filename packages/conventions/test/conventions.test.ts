import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

const seedsDir = fileURLToPath(new URL('../../../../shared/seeds/', import.meta.url));
const seed = (prefix: string): string => {
  const files: Record<string, string> = {
    '000': '000_185fa4cc70338ac7.txt',
    '002': '002_f4f9c3210fbe8c87.txt',
    '004': '004_3550417da5471589.txt',
  };
  return readFileSync(seedsDir + files[prefix], 'utf8');
};

describe('event names match the seeds letter for letter', () => {
  it.each(Object.values(AiAgentEvent))('seed 000 names %s', (name) => {
    expect(seed('000')).toContain(`"event": "${name}"`);
  });
  it.each(Object.values(CopilotEvent))('seed 004 names %s', (name) => {
    expect(seed('004')).toContain(`"event": "${name}"`);
  });
  it.each(Object.values(CustomerSignalEvent))('seed 002 names %s', (name) => {
    expect(seed('002')).toContain(name);
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
  it('mark every seed 002 optional payload field with one key', () => {
    for (const field of [
      'signal_type',
      'severity',
      'theme_id',
      'triage_result',
      'confidence_band',
      'escalation_reason',
      'reply_mode',
      'kb_gap_type',
      'outcome_type',
      'previous_signal_type',
      'time_to_resolution_ms',
      'handoff_target',
      'resolution_path',
    ]) {
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
  it('cover DESIGN section 3', () => {
    const kinds = Object.values(InteractionKind);
    for (const k of [
      'classification',
      'generation',
      'tool',
      'turn',
      'identify',
      'conversation',
      'feedback',
      'media',
      'component',
      'signal',
      'triage',
      'reply',
      'outcome',
      'track',
    ]) {
      expect(kinds).toContain(k);
    }
  });
});
