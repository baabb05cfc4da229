import { SpantrackConfigError } from '../config-error';
import shipped from './model-prices.json';

/** USD per million tokens of one model. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Input tokens read from the provider's prompt cache; when absent they cost `input`. */
  cachedInput?: number;
}

/** Model name → price. Keys are model names as providers spell them, without a date suffix. */
export type PriceTable = Readonly<Record<string, ModelPrice>>;

/** The price table shipped with the processor and the date its prices were read. */
export const SHIPPED_PRICES: PriceTable = shipped.models;
export const SHIPPED_PRICES_AS_OF: string = shipped.asOf;

// `gpt-4o-mini-2024-07-18`, `claude-sonnet-4-20250514`: a snapshot is priced as its model.
const DATE_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{8})$/;
// `claude-3-5-haiku-latest`, `openai/gpt-4o`, `models/gemini-2.5-pro`.
const LATEST_SUFFIX = /-latest$/;

/**
 * Prices looked up by model, shipped prices overridden (or extended) by the user's. The lookup is
 * exact after removing a provider prefix and a date or `-latest` suffix: a model that is merely
 * similar to a priced one is not priced (no guess).
 */
export class Prices {
  readonly #table: Map<string, ModelPrice>;
  readonly #resolved = new Map<string, ModelPrice | null>();
  readonly #unpriced = new Map<string, string>();

  constructor(overrides?: PriceTable) {
    this.#table = new Map(Object.entries(SHIPPED_PRICES));
    if (overrides !== undefined) {
      if (overrides === null || typeof overrides !== 'object') {
        throw new SpantrackConfigError(
          'prices',
          'must be an object of model name → { input, output, cachedInput? }',
        );
      }
      for (const [model, price] of Object.entries(overrides)) {
        const where = `prices[${JSON.stringify(model)}]`;
        if (price === null || typeof price !== 'object')
          throw new SpantrackConfigError(where, 'must be an object');
        for (const field of ['input', 'output', 'cachedInput'] as const) {
          const v = price[field];
          if (v === undefined && field === 'cachedInput') continue;
          if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
            throw new SpantrackConfigError(
              `${where}.${field}`,
              'must be a non-negative number (USD per million tokens)',
            );
          }
        }
        this.#table.set(model.toLowerCase(), price);
      }
    }
  }

  /** The model's price, or undefined when it has none. */
  of(model: string): ModelPrice | undefined {
    let found = this.#resolved.get(model);
    if (found === undefined) {
      found = this.#lookup(model) ?? null;
      // Bounded: model names come from spans, so an endless variety must not grow this forever.
      if (this.#resolved.size >= 1024) this.#resolved.clear();
      this.#resolved.set(model, found);
    }
    return found ?? undefined;
  }

  /** The `unpriced_model` diagnostic's text for a model (built once per model: it repeats per call). */
  unpricedMessage(model: string): string {
    let message = this.#unpriced.get(model);
    if (message === undefined) {
      message = `no price for model ${JSON.stringify(model.slice(0, 64))}: no cost_usd (add it with the prices option)`;
      if (this.#unpriced.size >= 1024) this.#unpriced.clear();
      this.#unpriced.set(model, message);
    }
    return message;
  }

  #lookup(model: string): ModelPrice | undefined {
    let name = model.toLowerCase();
    const exact = this.#table.get(name);
    if (exact !== undefined) return exact;
    const slash = name.lastIndexOf('/');
    if (slash >= 0) name = name.slice(slash + 1);
    name = name.replace(LATEST_SUFFIX, '').replace(DATE_SUFFIX, '');
    return this.#table.get(name);
  }
}

/**
 * The USD cost of one model call: uncached input, cached input and output tokens at the model's
 * prices. Undefined without both token counts.
 */
export function costOf(
  price: ModelPrice,
  inputTokens: number | undefined,
  outputTokens: number | undefined,
  cachedInputTokens: number | undefined,
): number | undefined {
  if (inputTokens === undefined || outputTokens === undefined) return undefined;
  const cached = Math.min(cachedInputTokens ?? 0, inputTokens);
  const micro =
    (inputTokens - cached) * price.input +
    cached * (price.cachedInput ?? price.input) +
    outputTokens * price.output;
  return roundUsd(micro / 1e6);
}

/** Twelve decimals: exact enough for a fraction of a cent, without binary noise (0.1 + 0.2) in events. */
export function roundUsd(usd: number): number {
  return Math.round(usd * 1e12) / 1e12;
}
