import type { Diagnostic } from '../diagnostics';
import type { SpanLike } from '../span-like';
import { resolveSources } from './builtin-sources';
import type { Interaction } from './interaction';
import { type InteractionSource, normalizeWith } from './normalize';
import { type NormalizeContext, UNUSABLE_SPAN } from './read-span';

/** Options of the standalone `normalize`. */
export interface NormalizeOptions {
  /** Read content attributes. Default false. */
  captureContent?: boolean;
  /** Extra sources, tried after spantrack's own and before the built-in producers' sources. */
  sources?: readonly InteractionSource[];
}

/**
 * The span as an `Interaction`, or undefined when no source recognises it or its times are unusable
 * (then `diagnostics` holds an `invalid_span`). Problems found (malformed values, dropped) are pushed
 * onto `diagnostics` when given.
 */
export function normalize(
  span: SpanLike,
  options: NormalizeOptions = {},
  diagnostics: Diagnostic[] = [],
): Interaction | undefined {
  const ctx: NormalizeContext = { captureContent: options.captureContent === true, diagnostics };
  const it = normalizeWith(span, ctx, resolveSources(options.sources));
  return it === UNUSABLE_SPAN ? undefined : it;
}
