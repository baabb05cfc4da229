import { type Diagnostic, DiagnosticCode } from '../diagnostics';
import type { Interaction } from './interaction';
import { costOf, type Prices } from './price-table';

const NO_MODEL = 'a model call with token counts names no model: no cost_usd';

/**
 * Fills `costUsd` of one model call from the price table. An explicit cost (`spantrack.cost.usd`,
 * or the producer's own) is kept. A call with token counts whose model has no price gets no cost and
 * an `unpriced_model` diagnostic: a cost is never guessed.
 */
export function priceModelCall(it: Interaction, prices: Prices, diagnostics: Diagnostic[]): void {
  if (it.costUsd !== undefined) return;
  if (it.inputTokens === undefined && it.outputTokens === undefined) return;
  const price = it.model === undefined ? undefined : prices.of(it.model);
  if (price === undefined) {
    diagnostics.push({
      code: DiagnosticCode.UNPRICED_MODEL,
      message: it.model === undefined ? NO_MODEL : prices.unpricedMessage(it.model),
      traceId: it.traceId,
      spanId: it.spanId,
    });
    return;
  }
  it.costUsd = costOf(price, it.inputTokens, it.outputTokens, it.cacheReadTokens);
}

/** Whether the interaction is a model call whose usage and cost are its own (not a turn's total). */
export function isModelCall(it: Interaction): boolean {
  return it.kind === 'generation' || it.kind === 'classification';
}
