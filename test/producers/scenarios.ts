import type { Conversation } from '@spantrack/instrumentation';
import type { TrackMessage } from '@spantrack/processor';
import { describe, expect, it, vi } from 'vitest';
import { MODEL, Trigger } from './fake-openai-server';
import type { Pipeline } from './harness';

/*
 * The per-producer matrix: every producer runs the same cases against the fake OpenAI server, once
 * outside any conversation and once inside spantrack's `conversation.turn()`, and its test file
 * declares the exact events each case yields (what that library can report, and no more).
 */

/** The cases, each run outside and inside a conversation. */
export const CASES = [
  'chat',
  'stream',
  'server_error',
  'rate_limit',
  'context_length',
  'timeout',
  'tool_loop',
] as const;
export type CaseName = (typeof CASES)[number];

/** What the failing cases send as the user's message (the server fails on it, or outlasts the client). */
const TRIGGERS: Partial<Record<CaseName, string>> = {
  server_error: Trigger.SERVER_ERROR,
  rate_limit: Trigger.RATE_LIMIT,
  context_length: Trigger.CONTEXT_LENGTH,
  timeout: Trigger.SLOW,
};

/** Runs a tool: through `conversation.tool()` inside a conversation, plainly outside one. */
export type RunTool = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

/** How a producer's library makes each kind of call against the fake server. */
export interface ProducerCalls {
  /** One chat completion. */
  chat(): Promise<unknown>;
  /** One streamed chat completion, usage requested (`include_usage`), read to its end. */
  stream(): Promise<unknown>;
  /** One chat completion whose user message is `content` (a `Trigger`); it rejects. */
  ask(content: string): Promise<unknown>;
  /**
   * The model asks for `lookup_order`, the tool runs, the model answers. Producers that do not trace
   * tools themselves run the tool through `runTool`, as a user of spantrack would.
   */
  toolLoop(runTool: RunTool): Promise<unknown>;
}

/** One expected event: its name and its exact properties. */
export interface ExpectedEvent {
  event: string;
  properties: Record<string, unknown>;
}

/**
 * What one run yields: how many spans ended (reached the processor's `onEnd`: a library that never
 * ends a span shows here) and the exact events.
 */
export interface Outcome {
  spans: number;
  events: ExpectedEvent[];
}

/** Per case, the outcome outside and inside a conversation. */
export type Expected = Record<CaseName, { outside: Outcome; inside: Outcome }>;

export interface ProducerMatrix {
  /** The describe block's title. */
  title: string;
  /** The pipeline of the running test (each test gets a fresh one). */
  pipeline(): Pipeline;
  calls: ProducerCalls;
  expected: Expected;
}

/** The conversation (and its user) the "inside" variant runs in. */
export const CONVERSATION_ID = 'conv-matrix';
export const USER_ID = 'u-matrix';
export const TOOL_NAME = 'lookup_order';

/** Usage the fake server reports for every call. */
export const TOKENS = { prompt_tokens: 12, completion_tokens: 3 } as const;
/** gpt-4o-mini, USD per million tokens: 12 × 0.15 + 3 × 0.6, all input uncached. */
export const CALL_COST_NO_CACHE = 3.6e-6;
/** The same call with its 4 cached input tokens priced as such: 8 × 0.15 + 4 × 0.075 + 3 × 0.6. */
export const CALL_COST_CACHED = 3.3e-6;
export { MODEL };

// Builders for the expected events, so each producer's table reads as its facts only.

export const generation = (properties: Record<string, unknown>): ExpectedEvent => ({
  event: 'ai.generation',
  properties: { latency_ms: expect.any(Number), ...properties },
});

export const aiError = (errorType: string, errorClass?: string): ExpectedEvent => ({
  event: 'ai.error',
  properties:
    errorClass === undefined ? { error_type: errorType } : { error_type: errorType, error_class: errorClass },
});

export const conversationStarted = (): ExpectedEvent => ({
  event: 'Conversation Started',
  properties: { conversationId: CONVERSATION_ID },
});

export const messageSent = (): ExpectedEvent => ({
  event: 'Message Sent',
  properties: { conversationId: CONVERSATION_ID, messageId: expect.any(String), role: 'customer' },
});

export const messageReceived = (usage: Record<string, unknown> = {}): ExpectedEvent => ({
  event: 'Message Received',
  properties: {
    conversationId: CONVERSATION_ID,
    messageId: expect.any(String),
    role: 'agent',
    ...usage,
  },
});

/** `Action Invoked` of the tool: a producer's tool span says no role; spantrack's `conversation.tool()` says `agent`. */
export const actionInvoked = (extra: Record<string, unknown> = {}): ExpectedEvent => ({
  event: 'Action Invoked',
  properties: { conversationId: CONVERSATION_ID, type: 'tool', action: TOOL_NAME, ...extra },
});

/** A turn's opening events: the conversation starts, the customer's message is sent. */
export const turnOpened = (): ExpectedEvent[] => [conversationStarted(), messageSent()];

// Builders for a case's outcome outside and inside a conversation, for the shapes producers share.

/** One call whose span reports `event`; inside a conversation the turn sums its `usage`. */
export const answered = (event: ExpectedEvent, usage: Record<string, unknown> = {}) => ({
  outside: { spans: 1, events: [event] },
  inside: { spans: 2, events: [...turnOpened(), messageReceived(usage), event] },
});

/** One failed call whose span ends with `error`; inside a conversation the turn fails with it. */
export const failedWith = (error: ExpectedEvent) => ({
  outside: { spans: 1, events: [error] },
  inside: { spans: 2, events: [...turnOpened(), error] },
});

/**
 * One failed call whose span never ends: nothing outside a conversation; inside one, the turn's own
 * failure, with `turnError` when its error has a documented type.
 */
export const neverEnded = (turnError?: ExpectedEvent) => ({
  outside: { spans: 0, events: [] },
  inside: { spans: 1, events: turnError === undefined ? turnOpened() : [...turnOpened(), turnError] },
});

/**
 * The tool loop: two calls reporting `call` with the tool between; the tool's `Action Invoked`
 * only inside a conversation, whose turn sums both calls' `usage`.
 */
export const toolLoop = (options: {
  call: ExpectedEvent;
  usage: Record<string, number>;
  action: ExpectedEvent;
  spans: { outside: number; inside: number };
}) => ({
  outside: { spans: options.spans.outside, events: [options.call, options.call] },
  inside: {
    spans: options.spans.inside,
    events: [
      ...turnOpened(),
      options.action,
      messageReceived(twice(options.usage)),
      options.call,
      options.call,
    ],
  },
});

/** Two calls' usage: every count and cost of one, doubled. */
export const twice = (usage: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(usage).map(([key, value]) => [key, 2 * value]));

/** Sorts messages by event name, as the matrices compare them. */
export const byEvent = (a: { event: string }, b: { event: string }) =>
  a.event < b.event ? -1 : a.event > b.event ? 1 : 0;

async function runCase(calls: ProducerCalls, name: CaseName, conversation: Conversation | undefined) {
  const runTool: RunTool =
    conversation === undefined ? (_name, fn) => fn() : (toolName, fn) => conversation.tool(toolName, fn);
  const call = (): Promise<unknown> => {
    const trigger = TRIGGERS[name];
    if (trigger !== undefined) return calls.ask(trigger);
    if (name === 'chat') return calls.chat();
    if (name === 'stream') return calls.stream();
    return calls.toolLoop(runTool);
  };
  const run =
    conversation === undefined ? call : () => conversation.turn('where is my order?', async () => call());
  if (TRIGGERS[name] === undefined) await run();
  else await expect(run()).rejects.toThrow();
}

function assertIdentity(events: readonly TrackMessage[], inside: boolean): void {
  for (const e of events) {
    if (inside) {
      expect(e.userId, `${e.event} userId`).toBe(USER_ID);
      expect(e.anonymousId, `${e.event} anonymousId`).toBeUndefined();
    } else {
      expect(e.userId, `${e.event} userId`).toBeUndefined();
      // Without a user, Segment needs an anonymous id: the trace's id.
      expect(e.anonymousId, `${e.event} anonymousId`).toMatch(/^[0-9a-f]{32}$/);
    }
  }
}

/** The matrix of one producer: each case outside and inside a conversation, events compared exactly. */
export function describeMatrix(matrix: ProducerMatrix): void {
  describe(`${matrix.title}: the producer matrix`, () => {
    for (const name of CASES) {
      for (const where of ['outside', 'inside'] as const) {
        const outcome = matrix.expected[name][where];
        const expected = [...outcome.events].sort(byEvent);
        const list = expected.map((e) => e.event).join(', ') || 'no event';
        it(`${name}, ${where} a conversation: ${list} (${outcome.spans} spans ended)`, async () => {
          const pipeline = matrix.pipeline();
          const conversation =
            where === 'inside'
              ? pipeline.tracker.conversation({ conversationId: CONVERSATION_ID, userId: USER_ID })
              : undefined;
          await runCase(matrix.calls, name, conversation);
          // Some producers end a stream's span on their own copy of the stream, after the caller's.
          await vi.waitFor(() =>
            expect(pipeline.processor.stats().spansSeen).toBeGreaterThanOrEqual(outcome.spans),
          );
          const events = [...(await pipeline.events())].sort(byEvent);
          expect(events.map((e) => ({ event: e.event, properties: e.properties }))).toEqual(expected);
          expect(pipeline.processor.stats().spansSeen, 'spans ended').toBe(outcome.spans);
          assertIdentity(events, where === 'inside');
        });
      }
    }
  });
}
