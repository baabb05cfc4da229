import { describe, expect, it } from 'vitest';
import { createTranslator, SpantrackConfigError } from '../../src/index';
import { costOf, Prices, SHIPPED_PRICES, SHIPPED_PRICES_AS_OF } from '../../src/normalize/price-table';
import { span } from '../pipeline/span-fixture';

const chat = (model: string, extra: Record<string, number> = {}) =>
  span({
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': model,
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 3,
      'gen_ai.usage.cache_read.input_tokens': 4,
      ...extra,
    },
  });

describe('tokens and cost', () => {
  it('ships a dated price table', () => {
    expect(SHIPPED_PRICES_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(SHIPPED_PRICES['gpt-4o-mini']).toEqual({ input: 0.15, output: 0.6, cachedInput: 0.075 });
  });

  it('prices uncached input, cached input and output tokens per million', () => {
    // 8 uncached × 0.15 + 4 cached × 0.075 + 3 output × 0.6 = 3.3 µUSD
    expect(costOf({ input: 0.15, output: 0.6, cachedInput: 0.075 }, 12, 3, 4)).toBeCloseTo(3.3e-6, 15);
    expect(costOf({ input: 1, output: 2 }, 1_000_000, 500_000, 250_000)).toBe(2);
    expect(costOf({ input: 1, output: 2 }, undefined, 3, undefined)).toBeUndefined();
  });

  it('finds a dated snapshot, a provider-prefixed or -latest name, and nothing merely similar', () => {
    const prices = new Prices();
    expect(prices.of('gpt-4o-mini-2024-07-18')).toBe(SHIPPED_PRICES['gpt-4o-mini']);
    expect(prices.of('openai/gpt-4o')).toBe(SHIPPED_PRICES['gpt-4o']);
    expect(prices.of('claude-3-5-haiku-latest')).toBe(SHIPPED_PRICES['claude-3-5-haiku']);
    expect(prices.of('gpt-4o-mini-custom')).toBeUndefined();
    expect(prices.of('llama3.2:3b')).toBeUndefined();
  });

  it('puts prompt_tokens, completion_tokens, cached_input_tokens and cost_usd on ai.generation', () => {
    const { messages, diagnostics } = createTranslator({ catalogs: ['ai-agent'] })(
      chat('gpt-4o-mini-2024-07-18'),
    );
    expect(diagnostics).toEqual([]);
    expect(messages[0]).toMatchObject({
      event: 'ai.generation',
      properties: {
        model: 'gpt-4o-mini-2024-07-18',
        prompt_tokens: 12,
        completion_tokens: 3,
        cached_input_tokens: 4,
        cost_usd: 3.3e-6,
      },
    });
  });

  it('lets the user override or add prices', () => {
    const t = createTranslator({ catalogs: ['ai-agent'], prices: { 'my-model': { input: 1, output: 2 } } });
    expect(t(chat('my-model')).messages[0]).toMatchObject({ properties: { cost_usd: (8 + 4 + 6) / 1e6 } });
    expect(() => createTranslator({ prices: { m: { input: -1, output: 1 } } })).toThrow(SpantrackConfigError);
    expect(() => createTranslator({ prices: { m: { input: 1 } as never } })).toThrow(/prices\["m"\]\.output/);
  });

  it('keeps an explicit spantrack.cost.usd over the table', () => {
    const t = createTranslator({ catalogs: ['ai-agent'] });
    expect(t(chat('gpt-4o-mini', { 'spantrack.cost.usd': 0.5 })).messages[0]).toMatchObject({
      properties: { cost_usd: 0.5 },
    });
  });

  it('gives an unknown model no cost and a counted unpriced_model diagnostic', () => {
    const { messages, diagnostics } = createTranslator({ catalogs: ['ai-agent'] })(chat('acme-large'));
    expect(messages[0]).not.toHaveProperty('properties.cost_usd');
    expect(messages[0]).toMatchObject({ properties: { prompt_tokens: 12, completion_tokens: 3 } });
    expect(diagnostics).toMatchObject([{ code: 'unpriced_model' }]);
    expect(diagnostics[0]!.message).toContain('acme-large');
  });
});
