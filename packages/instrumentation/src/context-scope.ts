import { type Attributes, type Context, context, createContextKey } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_CONVERSATION_ID,
  ATTR_SPANTRACK_ANONYMOUS_ID,
  ATTR_SPANTRACK_APP_SURFACE,
  ATTR_SPANTRACK_CHANNEL,
  ATTR_SPANTRACK_ORG_ID,
  ATTR_SPANTRACK_WORKSPACE_ID,
  ATTR_USER_ID,
} from '@spantrack/conventions';
import { type Diagnostics, moduleDiagnostics } from './diagnostics';
import type { ContextAttributes } from './types';
import { readString } from './validate';

/*
 * The scope: who and where, kept in an OpenTelemetry Context so it follows the agent's work
 * across awaits (with an async context manager) and reaches spans of any library.
 */

const SCOPE_KEY = createContextKey('@spantrack/instrumentation context attributes');

/**
 * Writes the valid context options of `opts` into `target` (overwriting), and reports the
 * invalid ones. Returns `target`, or, when none was given, a new object only if something was
 * written. Unrolled with named property reads: this runs on every call of the hot path.
 */
export function writeContextOptions(
  d: Diagnostics,
  where: string,
  opts: Readonly<ContextAttributes>,
  target?: Attributes,
): Attributes | undefined {
  if (opts.userId !== undefined) target = put(d, where, 'userId', ATTR_USER_ID, opts.userId, target);
  if (opts.anonymousId !== undefined) {
    target = put(d, where, 'anonymousId', ATTR_SPANTRACK_ANONYMOUS_ID, opts.anonymousId, target);
  }
  if (opts.conversationId !== undefined) {
    target = put(d, where, 'conversationId', ATTR_GEN_AI_CONVERSATION_ID, opts.conversationId, target);
  }
  if (opts.orgId !== undefined) target = put(d, where, 'orgId', ATTR_SPANTRACK_ORG_ID, opts.orgId, target);
  if (opts.workspaceId !== undefined) {
    target = put(d, where, 'workspaceId', ATTR_SPANTRACK_WORKSPACE_ID, opts.workspaceId, target);
  }
  if (opts.channel !== undefined)
    target = put(d, where, 'channel', ATTR_SPANTRACK_CHANNEL, opts.channel, target);
  if (opts.appSurface !== undefined) {
    target = put(d, where, 'appSurface', ATTR_SPANTRACK_APP_SURFACE, opts.appSurface, target);
  }
  return target;
}

function put(
  d: Diagnostics,
  where: string,
  option: string,
  key: string,
  v: unknown,
  target: Attributes | undefined,
): Attributes | undefined {
  if (typeof v === 'string' && v.length > 0) {
    if (target === undefined) target = {};
    target[key] = v;
  } else {
    readString(d, where, option, v);
  }
  return target;
}

/** The context attributes of the scope active in `ctx`, if any. Treat as read-only. */
export function getContextAttributes(ctx: Context = context.active()): Readonly<Attributes> | undefined {
  return ctx.getValue(SCOPE_KEY) as Attributes | undefined;
}

/** `ctx` with `attrs` added to its scope (the new values win over the enclosing scope's). */
export function setContextAttributes(ctx: Context, attrs: Readonly<Attributes>): Context {
  const outer = ctx.getValue(SCOPE_KEY) as Attributes | undefined;
  return ctx.setValue(SCOPE_KEY, outer === undefined ? attrs : { ...outer, ...attrs });
}

/** Validates a `withContext` argument into attributes; invalid entries are reported and dropped. */
export function contextAttributesOf(d: Diagnostics, where: string, values: unknown): Attributes {
  const attrs: Attributes = {};
  if (values !== null && typeof values === 'object' && !Array.isArray(values)) {
    writeContextOptions(d, where, values as Record<string, unknown>, attrs);
  } else if (values != null) {
    d.invalid(where, 'context', 'expected an object', values);
  }
  return attrs;
}

/** Runs `fn` in a scope; shared by the tracker's `withContext` and the module-level one. */
export function runWithContext<R>(d: Diagnostics, values: ContextAttributes, fn: () => R): R {
  if (typeof fn !== 'function') {
    d.invalid('withContext', 'fn', 'expected a function', fn);
    return undefined as R;
  }
  const attrs = contextAttributesOf(d, 'withContext', values);
  const scoped = setContextAttributes(context.active(), attrs);
  return context.with(scoped, () => {
    // With no context manager registered, `context.with` runs fn in the root context: say so once,
    // rather than let every span of the scope silently miss its user and conversation.
    if (context.active() !== scoped) {
      d.problem(
        'withContext',
        'no OpenTelemetry context manager is registered, so the scope reaches no span',
        'register one (NodeTracerProvider.register(), @spantrack/node setup(), or context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()))',
      );
    }
    return fn();
  });
}

/**
 * Runs `fn` so that every span started inside it, including spans of auto-instrumented libraries
 * (with {@link ContextAttributesSpanProcessor} registered), carries these context attributes.
 * Nested scopes merge, the inner one winning. Returns what `fn` returns.
 */
export function withContext<R>(values: ContextAttributes, fn: () => R): R {
  return runWithContext(moduleDiagnostics, values, fn);
}
