import { ProxyTracerProvider, type TracerProvider, trace } from '@opentelemetry/api';
import type { SpanProcessorLike } from './span-processor-like';

/** The provider behind the global API, or undefined when none is registered (the no-op one). */
export function registeredTracerProvider(): TracerProvider | undefined {
  const global = trace.getTracerProvider() as TracerProvider & { getDelegate?: () => TracerProvider };
  const delegate = typeof global.getDelegate === 'function' ? global.getDelegate() : global;
  if (delegate === new ProxyTracerProvider().getDelegate()) return undefined;
  // Another copy of the API has its own no-op singleton.
  if (delegate.constructor?.name === 'NoopTracerProvider') return undefined;
  return delegate;
}

/** How processors were added to a provider someone else built; `undefined`: they could not be. */
export type AttachMethod = 'span-processor-list' | 'addSpanProcessor';

interface SdkTracerProviderInternals {
  /** SDK 1.x only. */
  addSpanProcessor?: (processor: SpanProcessorLike) => void;
  /** SDK 2.x: a MultiSpanProcessor that reads `_spanProcessors` on every call. */
  _activeSpanProcessor?: { _spanProcessors?: unknown; onStart?: unknown; onEnd?: unknown };
}

/**
 * Best effort, by feature checks: SDK 2.x providers take processors only in their constructor, so
 * the list inside their MultiSpanProcessor is replaced with one that includes ours (`first` before
 * the provider's own processors, `last` after). SDK 1.x providers still have `addSpanProcessor`.
 * Anything else is left alone and reported as not attached.
 */
export function attachSpanProcessors(
  provider: TracerProvider,
  first: SpanProcessorLike[],
  last: SpanProcessorLike[],
): { method: AttachMethod; detach: () => void } | undefined {
  const p = provider as TracerProvider & SdkTracerProviderInternals;
  const active = p._activeSpanProcessor;
  if (
    active !== undefined &&
    active !== null &&
    Array.isArray(active._spanProcessors) &&
    typeof active.onStart === 'function' &&
    typeof active.onEnd === 'function'
  ) {
    const existing = active._spanProcessors as SpanProcessorLike[];
    // A new array, so the one the application passed to the constructor is not mutated.
    active._spanProcessors = [...first, ...existing, ...last];
    const ours = new Set<SpanProcessorLike>([...first, ...last]);
    return {
      method: 'span-processor-list',
      detach: () => {
        if (Array.isArray(active._spanProcessors)) {
          active._spanProcessors = (active._spanProcessors as SpanProcessorLike[]).filter(
            (s) => !ours.has(s),
          );
        }
      },
    };
  }
  if (typeof p.addSpanProcessor === 'function') {
    for (const processor of [...first, ...last]) p.addSpanProcessor(processor);
    return { method: 'addSpanProcessor', detach: () => {} };
  }
  return undefined;
}
