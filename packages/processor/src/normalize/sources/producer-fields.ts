import type { SpanLike } from '../../span-like';
import { type NormalizeContext, readCount, readId, readNumber, readText } from '../read-span';

// Readers of one producer-specific attribute: undefined when absent, dropped (reported) when malformed.

export function countAt(span: SpanLike, ctx: NormalizeContext, key: string): number | undefined {
  const v = span.attributes[key];
  return v === undefined || v === null ? undefined : readCount(ctx, span, key, v);
}

export function textAt(span: SpanLike, ctx: NormalizeContext, key: string): string | undefined {
  const v = span.attributes[key];
  return v === undefined || v === null ? undefined : readText(ctx, span, key, v);
}

export function idAt(span: SpanLike, ctx: NormalizeContext, key: string): string | undefined {
  const v = span.attributes[key];
  return v === undefined || v === null ? undefined : readId(ctx, span, key, v);
}

/** A non-negative USD amount. */
export function usdAt(span: SpanLike, ctx: NormalizeContext, key: string): number | undefined {
  const v = span.attributes[key];
  if (v === undefined || v === null) return undefined;
  const n = readNumber(ctx, span, key, v);
  return n !== undefined && n >= 0 ? n : undefined;
}

/** The attribute's text when content capture is on; never read otherwise. */
export function contentAt(span: SpanLike, ctx: NormalizeContext, key: string): string | undefined {
  if (!ctx.captureContent) return undefined;
  const v = span.attributes[key];
  return typeof v === 'string' ? v : undefined;
}
