import { readFileSync } from 'node:fs';
import { SpantrackConfigError } from '../config-error';
import { Prices, type PriceTable } from './price-table';

/**
 * Reads a price-table file: JSON, either `{ "<model>": { input, output, cachedInput? } }` or the
 * shipped table's own shape `{ "models": { ... } }`. Every problem (missing file, not JSON, a bad
 * price) is a `SpantrackConfigError` naming `source`, the option or variable that gave the path.
 */
export function loadPriceTable(path: string, source: string): PriceTable {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SpantrackConfigError(
      source,
      `cannot read the price table ${JSON.stringify(path)} (${code ?? String(error)}); set it to a JSON file of model name → { input, output, cachedInput? }`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SpantrackConfigError(
      source,
      `the price table ${JSON.stringify(path)} is not JSON: ${(error as Error).message}`,
    );
  }
  return checkPriceTable(unwrapModels(parsed), source);
}

/** A price table given as an object or as a file path (the `prices` option takes both). */
export function priceTableOf(value: unknown, source: string): PriceTable {
  if (typeof value === 'string') {
    if (value.trim() === '') throw new SpantrackConfigError(source, 'must be a JSON file path or an object');
    return loadPriceTable(value, source);
  }
  return checkPriceTable(value, source);
}

function unwrapModels(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && 'models' in value)
    return (value as { models: unknown }).models;
  return value;
}

/** Validates now, so a bad price is reported under the setting the user set, not at the first span. */
function checkPriceTable(value: unknown, source: string): PriceTable {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new SpantrackConfigError(
      source,
      'must be an object of model name → { input, output, cachedInput? }',
    );
  try {
    new Prices(value as PriceTable);
  } catch (error) {
    if (error instanceof SpantrackConfigError && source !== 'prices') {
      // `prices["m"].input: ...` becomes `SPANTRACK_PRICES: prices["m"].input: ...`.
      throw new SpantrackConfigError(source, error.message);
    }
    throw error;
  }
  return value as PriceTable;
}
