import type { AnalyticsSpanProcessorOptions, TrackMessage } from '@spantrack/processor';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Trigger } from './fake-openai-server';
import { Pipeline } from './harness';
import { aiError, byEvent, type ExpectedEvent, generation } from './scenarios';

/*
 * The per-producer matrix for the SDK producers (the Vercel AI SDK, the openai instrumentations):
 * six cases, each run inside a spantrack conversation (`tracker.conversation().turn()`) and outside
 * one. A producer says how to run a case and which model calls and tools its spans report; the
 * matrix expands that into the exact messages expected, identity included.
 */

/** The cases every producer runs. */
export const SdkCase = {
  CHAT: 'chat',
  STREAM: 'streamed chat with usage',
  TOOL_LOOP: 'tool loop',
  SERVER_ERROR: 'HTTP 500',
  RATE_LIMIT: 'HTTP 429',
  TIMEOUT: 'timeout',
} as const;
export type SdkCase = (typeof SdkCase)[keyof typeof SdkCase];
export const SDK_CASES: readonly SdkCase[] = Object.values(SdkCase);

/** Who the call is for, when the producer is told outside a spantrack conversation. */
export interface CallIdentity {
  userId: string;
  conversationId: string;
}

/** What the producer's spans report for one case. */
export interface CaseReport {
  /** `ai.generation` / `ai.error` events, in the order of the calls. */
  calls: ExpectedEvent[];
  /** `Action Invoked` actions (tool names), in order. */
  actions?: string[];
  /** The call rejects (the turn fails: no `Message Received`). */
  fails?: boolean;
}

export interface SdkProducer {
  /** The describe title. */
  name: string;
  /** A short id, for user and conversation ids. */
  slug: string;
  /** Prices the pipeline uses (model → USD per million tokens), when the producer's model is not in the table. */
  prices?: AnalyticsSpanProcessorOptions['prices'];
  /** Points the producer at this test's pipeline. */
  bind(pipeline: Pipeline): void;
  /**
   * Makes the case's call; resolves with the answer text, rejects when the call fails. `identity`
   * is set outside a conversation: the producer passes it however it can (or cannot).
   */
  run(c: SdkCase, pipeline: Pipeline, identity: CallIdentity | undefined): Promise<string>;
  /** What the producer's spans report for a case. */
  report(c: SdkCase): CaseReport;
  /**
   * Outside a spantrack conversation, whether the producer's own spans carry the user and the
   * conversation it was given (then its own turn span sends the message pair).
   */
  reportsIdentity: boolean;
}

/** The `Message Received` usage of a turn: its model calls' usage, each counted once. */
function turnUsage(calls: readonly ExpectedEvent[]): Record<string, unknown> {
  const generations = calls.filter((c) => c.event === 'ai.generation').map((c) => c.properties);
  const usage: Record<string, unknown> = {};
  for (const key of ['prompt_tokens', 'completion_tokens', 'cached_input_tokens'] as const) {
    const values = generations.map((g) => g[key]).filter((v): v is number => typeof v === 'number');
    if (values.length > 0) usage[key] = values.reduce((a, b) => a + b, 0);
  }
  const costs = generations.map((g) => g.cost_usd);
  if (costs.length > 0 && costs.every((c) => typeof c === 'number')) {
    usage.cost_usd = Math.round((costs as number[]).reduce((a, b) => a + b, 0) * 1e12) / 1e12;
  }
  return usage;
}

/** The messages one case yields: the producer's events, and the conversation's when there is one. */
export function expectedMessages(
  report: CaseReport,
  identity: { userId?: string; conversationId?: string },
): ExpectedEvent[] {
  const events: ExpectedEvent[] = [...report.calls];
  const conversationId = identity.conversationId;
  if (conversationId !== undefined) {
    // Segment's AI Copilot spec: tool actions and messages belong to a conversation.
    for (const action of report.actions ?? []) {
      events.push({ event: 'Action Invoked', properties: { conversationId, type: 'tool', action } });
    }
    events.push({ event: 'Conversation Started', properties: { conversationId } });
    events.push({
      event: 'Message Sent',
      properties: { conversationId, messageId: expect.any(String), role: 'customer' },
    });
    if (report.fails !== true) {
      events.push({
        event: 'Message Received',
        properties: {
          conversationId,
          messageId: expect.any(String),
          role: 'agent',
          ...turnUsage(report.calls),
        },
      });
    }
  }
  return events.sort(byEvent);
}

/** A message as the matrix compares it: name, who it is about, and all its properties. */
function shape(message: TrackMessage) {
  const who =
    message.userId === undefined ? { anonymousId: message.anonymousId } : { userId: message.userId };
  return { event: message.event, ...who, properties: message.properties };
}

/** Runs the six cases × {inside, outside a spantrack conversation} for one producer. */
export function describeSdkMatrix(producer: SdkProducer): void {
  describe(`${producer.name}: the six cases, in and out of a conversation`, () => {
    let pipeline: Pipeline;
    beforeEach(() => {
      pipeline = new Pipeline(producer.prices === undefined ? {} : { prices: producer.prices });
      producer.bind(pipeline);
    });
    afterEach(() => pipeline.shutdown());

    const userId = `u-${producer.slug}`;

    it.each(SDK_CASES)('%s inside conversation.turn()', async (c) => {
      const conversationId = `conv-${producer.slug}-${c.replace(/\W+/g, '-')}`;
      const report = producer.report(c);
      const conversation = pipeline.tracker.conversation({ conversationId, userId });
      const turn = conversation.turn('where is my order?', async (t) => {
        t.setOutput(await producer.run(c, pipeline, undefined));
      });
      if (report.fails === true) await expect(turn).rejects.toThrow();
      else await turn;
      await check(pipeline, expectedMessages(report, { userId, conversationId }), userId);
    });

    it.each(SDK_CASES)('%s outside any conversation', async (c) => {
      const identity = { userId, conversationId: `sess-${producer.slug}-${c.replace(/\W+/g, '-')}` };
      const report = producer.report(c);
      const call = producer.run(c, pipeline, identity);
      if (report.fails === true) await expect(call).rejects.toThrow();
      else await call;
      const known: Partial<CallIdentity> = producer.reportsIdentity ? identity : {};
      await check(pipeline, expectedMessages(report, known), known.userId);
    });
  });
}

/** The messages so far equal `expected`, each about `userId` (else an anonymous id). */
async function check(
  pipeline: Pipeline,
  expected: readonly ExpectedEvent[],
  userId: string | undefined,
): Promise<void> {
  const messages = [...(await pipeline.events())].sort(byEvent);
  expect(messages.map((m) => m.event)).toEqual(expected.map((e) => e.event));
  const who = userId === undefined ? { anonymousId: expect.any(String) } : { userId };
  expect(messages.map(shape)).toEqual(expected.map((e) => ({ ...e, ...who })));
}

/** What the cases use of an openai client (6 or 7): chat completions, plain and streamed. */
export interface ChatCompletionsClient {
  chat: {
    completions: {
      // biome-ignore lint/suspicious/noExplicitAny: the client's overloads differ between majors
      create(body: any): Promise<any>;
    };
  };
}

/** The `lookup_order` tool as a chat request declares it. */
export const LOOKUP_ORDER_TOOLS = [
  {
    type: 'function',
    function: {
      name: 'lookup_order',
      parameters: { type: 'object', properties: { id: { type: 'string' } } },
    },
  },
];

/**
 * Runs a case with an openai client against the local fake OpenAI server: its triggers make the
 * failures; the tool loop runs the tool the model calls (as the agent's own code, with no span of
 * its own) and asks again with the result.
 */
export async function runOpenAiCase(client: ChatCompletionsClient, c: SdkCase): Promise<string> {
  const ask = async (content: string): Promise<string> => {
    const res = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content }],
    });
    return res.choices[0]?.message?.content ?? '';
  };
  switch (c) {
    case SdkCase.CHAT:
      return ask('where is my order?');
    case SdkCase.STREAM: {
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'where is my order?' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
      return text;
    }
    case SdkCase.TOOL_LOOP: {
      const messages: unknown[] = [{ role: 'user', content: 'where is my order?' }];
      const first = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        tools: LOOKUP_ORDER_TOOLS,
      });
      const call = first.choices[0].message.tool_calls[0];
      messages.push(first.choices[0].message, {
        role: 'tool',
        tool_call_id: call.id,
        content: JSON.stringify({ status: 'shipped' }),
      });
      const second = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages,
        tools: LOOKUP_ORDER_TOOLS,
      });
      return second.choices[0].message.content ?? '';
    }
    case SdkCase.SERVER_ERROR:
      return ask(Trigger.SERVER_ERROR);
    case SdkCase.RATE_LIMIT:
      return ask(Trigger.RATE_LIMIT);
    case SdkCase.TIMEOUT:
      return ask(Trigger.SLOW);
  }
}

/** How a model-client instrumentation's failed calls name their errors: the class per case. */
export interface ErrorClasses {
  serverError: string;
  rateLimit: string;
  timeout: string;
}

/**
 * The matrix of an instrumentation of one model client: every model call reports `generation`;
 * the tool runs in the agent's code (no span, so no Action Invoked); failed calls report their
 * error class. Its spans carry no user or conversation: outside spantrack's scope the events are
 * anonymous.
 */
export function describeModelClientMatrix(
  producer: Omit<SdkProducer, 'report' | 'reportsIdentity'> & {
    generation: Record<string, unknown>;
    errorClasses: ErrorClasses;
  },
): void {
  const call = generation(producer.generation);
  const { serverError, rateLimit, timeout } = producer.errorClasses;
  const reports: Record<SdkCase, CaseReport> = {
    [SdkCase.CHAT]: { calls: [call] },
    [SdkCase.STREAM]: { calls: [call] },
    [SdkCase.TOOL_LOOP]: { calls: [call, call] },
    [SdkCase.SERVER_ERROR]: { calls: [aiError('server_error', serverError)], fails: true },
    [SdkCase.RATE_LIMIT]: { calls: [aiError('rate_limit', rateLimit)], fails: true },
    [SdkCase.TIMEOUT]: { calls: [aiError('timeout', timeout)], fails: true },
  };
  describeSdkMatrix({ ...producer, reportsIdentity: false, report: (c) => reports[c] });
}
