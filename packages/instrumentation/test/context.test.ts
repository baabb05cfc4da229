import { context, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { getContextAttributes, withContext } from '../src/index';
import { setup, useAsyncContext, useDiag } from './support';

useAsyncContext();
useDiag();

const scope = {
  userId: 'u1',
  anonymousId: 'a1',
  conversationId: 'c1',
  orgId: 'o1',
  workspaceId: 'w1',
  channel: 'whatsapp',
  appSurface: 'inbox',
};
const scopeAttrs = {
  'user.id': 'u1',
  'spantrack.anonymous.id': 'a1',
  'gen_ai.conversation.id': 'c1',
  'spantrack.org.id': 'o1',
  'spantrack.workspace.id': 'w1',
  'spantrack.channel': 'whatsapp',
  'spantrack.app_surface': 'inbox',
};

describe('withContext', () => {
  it('copies the scope onto spans of any tracer (sync fn, returns its result)', () => {
    const { tracker, provider, only } = setup();
    const r = tracker.withContext(scope, () => {
      provider.getTracer('http').startSpan('GET /').end();
      return 7;
    });
    expect(r).toBe(7);
    expect(only().attributes).toEqual(scopeAttrs);
  });

  it('follows awaits (async fn)', async () => {
    const { tracker, provider, only } = setup();
    const r = await tracker.withContext({ userId: 'u2' }, async () => {
      await new Promise((res) => setTimeout(res, 5));
      provider.getTracer('llm').startSpan('chat').end();
      return 'done';
    });
    expect(r).toBe('done');
    expect(only().attributes).toEqual({ 'user.id': 'u2' });
    expect(getContextAttributes(context.active())).toBeUndefined();
  });

  it('merges nested scopes, the inner one winning', () => {
    const { tracker, provider, only } = setup();
    withContext({ userId: 'outer', orgId: 'o1' }, () =>
      tracker.withContext({ userId: 'inner', conversationId: 'c2' }, () => {
        provider.getTracer('x').startSpan('s').end();
      }),
    );
    expect(only().attributes).toEqual({
      'user.id': 'inner',
      'spantrack.org.id': 'o1',
      'gen_ai.conversation.id': 'c2',
    });
  });

  it('leaves a key the span already has alone', () => {
    const { tracker, provider, only } = setup();
    tracker.withContext({ userId: 'scope-user', channel: 'web_widget' }, () => {
      provider
        .getTracer('x')
        .startSpan('s', { attributes: { 'user.id': 'own-user' } })
        .end();
    });
    expect(only().attributes).toEqual({ 'user.id': 'own-user', 'spantrack.channel': 'web_widget' });
  });

  it("puts the scope on the tracker's own spans even without the processor", () => {
    const { tracker, only } = setup({}, false);
    tracker.withContext(scope, () => tracker.begin().end());
    expect(only().attributes).toMatchObject(scopeAttrs);
  });

  it('ranks call options over the scope over tracker defaults', () => {
    const { tracker, spans } = setup({ channel: 'api', orgId: 'default-org' });
    tracker.begin().end();
    tracker.withContext({ channel: 'whatsapp', userId: 'scoped' }, () => {
      tracker.begin().end();
      tracker.begin({ channel: 'voice', userId: 'own' }).end();
    });
    expect(spans().map((s) => [s.attributes['spantrack.channel'], s.attributes['user.id']])).toEqual([
      ['api', undefined],
      ['whatsapp', 'scoped'],
      ['voice', 'own'],
    ]);
    expect(spans().every((s) => s.attributes['spantrack.org.id'] === 'default-org')).toBe(true);
  });
});

describe('spantrack.reported_by', () => {
  it('marks spans started inside classify / generate (and their children), and nothing else', async () => {
    const { tracker, provider, named } = setup();
    const llm = provider.getTracer('llm');
    await tracker.classify({}, async () => {
      await new Promise((res) => setTimeout(res, 1));
      const chat = llm.startSpan('chat gpt-4o-mini', { attributes: { 'gen_ai.operation.name': 'chat' } });
      // What the LLM client starts under its own span (an HTTP request) is marked too.
      context.with(trace.setSpan(context.active(), chat), () => llm.startSpan('POST').end());
      chat.end();
      return { intent: 'nil_filing', confidence: 0.9 };
    });
    tracker.generate({}, () => {
      llm.startSpan('chat llama3.2:3b').end();
      return 'ok';
    });
    llm.startSpan('chat outside').end();
    expect(named('chat gpt-4o-mini').attributes['spantrack.reported_by']).toBe('classification');
    expect(named('POST').attributes['spantrack.reported_by']).toBe('classification');
    expect(named('chat llama3.2:3b').attributes['spantrack.reported_by']).toBe('generation');
    expect(named('chat outside').attributes['spantrack.reported_by']).toBeUndefined();
    expect(named('classify default').attributes['spantrack.reported_by']).toBeUndefined();
  });
});
