import { afterEach, describe, expect, it } from 'vitest';
import { takeViolations } from '../../../setup/validate-messages';
import { type SegmentServer, startSegmentServer } from '../src/index';
import { resolvePlans } from '../src/plan-check';

const WRITE_KEY = 'wk';
let server: SegmentServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function post(batch: unknown[]): Promise<number> {
  const res = await fetch(`${server!.url}/v1/batch`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
    },
    body: JSON.stringify({ batch }),
  });
  return res.status;
}

const T = '2024-05-01T12:00:00.000Z';

describe('the Segment test server checks what it receives against the tracking plans', () => {
  it('records and publishes each violation, and still accepts the message', async () => {
    server = await startSegmentServer({ writeKey: WRITE_KEY, validate: true });
    const status = await post([
      {
        type: 'track',
        event: 'ai.classification',
        userId: 'u',
        messageId: 'a',
        timestamp: T,
        properties: { detected_intent: 'x', confidence: 0.5 },
      },
      {
        type: 'track',
        event: 'ai.classification',
        userId: 'u',
        messageId: 'b',
        timestamp: T,
        properties: { confidence: 2 },
      },
      {
        type: 'track',
        event: 'Item Purchased',
        userId: 'u',
        messageId: 'c',
        timestamp: T,
        properties: { any: 1 },
      },
    ]);
    expect(status).toBe(200);
    expect(server.messages).toHaveLength(3);
    expect(server.planViolations).toEqual([
      {
        path: '/v1/batch',
        messageId: 'b',
        event: 'ai.classification',
        at: 'properties.detected_intent',
        message: 'required property "detected_intent" is missing',
        plan: 'ai-agent',
      },
      {
        path: '/v1/batch',
        messageId: 'b',
        event: 'ai.classification',
        at: 'properties.confidence',
        message: 'must be <= 1',
        plan: 'ai-agent',
      },
    ]);
    expect(server.stats().planViolations).toBe(2);
    // The test setup saw them on the diagnostics channel: without this, this test would fail.
    const seen = takeViolations();
    expect(seen).toHaveLength(2);
    expect(seen[0]).toContain(
      'Segment test server received "ai.classification" on /v1/batch: properties.detected_intent',
    );
    server.reset();
    expect(server.planViolations).toEqual([]);
  });

  it('checks against your own plans when given', async () => {
    server = await startSegmentServer({
      writeKey: WRITE_KEY,
      validate: [
        {
          name: 'shop',
          rules: {
            events: [
              { name: 'Item Purchased', rules: { properties: { properties: { required: ['sku'] } } } },
            ],
          },
        },
      ],
    });
    await post([{ type: 'track', event: 'Item Purchased', userId: 'u', timestamp: T, properties: {} }]);
    expect(server.planViolations.map((v) => `${v.plan} ${v.at}`)).toEqual(['shop properties.sku']);
    takeViolations();
  });

  it('is on under Vitest unless told otherwise', () => {
    expect(resolvePlans(undefined, { VITEST: 'true' })).toBeDefined();
    expect(resolvePlans(undefined, {})).toBeUndefined();
    expect(resolvePlans(undefined, { VITEST: 'true', SEGMENT_TEST_SERVER_VALIDATE: '0' })).toBeUndefined();
    expect(resolvePlans(undefined, { SEGMENT_TEST_SERVER_VALIDATE: '1' })).toBeDefined();
    expect(resolvePlans(false, { VITEST: 'true' })).toBeUndefined();
  });

  it('checks nothing when off', async () => {
    server = await startSegmentServer({ writeKey: WRITE_KEY, validate: false });
    await post([{ type: 'track', event: 'ai.classification', userId: 'u', timestamp: T, properties: {} }]);
    expect(server.messages).toHaveLength(1);
    expect(server.planViolations).toEqual([]);
  });
});
