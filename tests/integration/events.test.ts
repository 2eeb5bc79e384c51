import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoEventCounters } from '../../functions/adapters/dynamo-event-counters.js';
import { DynamoVariantGiftCounters, variantGiftUpdate } from '../../functions/adapters/dynamo-experiment-results.js';
import { DynamoExperimentStore } from '../../functions/adapters/dynamo-experiments.js';
import { transactWrite } from '../../functions/adapters/dynamo-transactions.js';
import { documentClient } from '../../functions/platform/clients.js';
import { DEMO_CAMPAIGN } from '../../local/demo/campaign.js';
import { postJson, startTestServer, type TestServer } from '../support/dev-server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ EVENTS_CLIENT_LIMIT_PER_MINUTE: '10000', EXPERIMENT_CACHE_SECONDS: '0' });
  await new DynamoExperimentStore(documentClient(server.clientOptions), server.tables.donations).setVariant(
    DEMO_CAMPAIGN,
    { id: 'urgent', weight: 1, headline: 'Our reporters need you today' },
    new Date(),
  );
});
afterAll(() => server.stop());

const today = () => new Date().toISOString().slice(0, 10);
const counters = () => new DynamoEventCounters(documentClient(server.clientOptions), server.tables.donations, 8);
const beacon = (body: unknown) =>
  fetch(`${server.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: JSON.stringify(body) });

describe('views and clicks through the dev server', () => {
  it('counts every accepted view and click by variant, through the queue and the sharded counters', async () => {
    const sends = [
      ...Array.from({ length: 120 }, () => ({ type: 'view', campaign: DEMO_CAMPAIGN, variant: 'control' })),
      ...Array.from({ length: 90 }, () => ({ type: 'view', campaign: DEMO_CAMPAIGN, variant: 'urgent' })),
      ...Array.from({ length: 7 }, () => ({ type: 'click', campaign: DEMO_CAMPAIGN, variant: 'urgent' })),
    ];
    const statuses = await Promise.all(sends.map(async (body) => (await beacon(body)).status));
    expect(new Set(statuses)).toEqual(new Set([204]));
    await server.eventsIdle();
    expect(await counters().totals(DEMO_CAMPAIGN, today(), today())).toEqual({
      control: { views: 120, clicks: 0 },
      urgent: { views: 90, clicks: 7 },
    });
  });

  it('refuses an unknown variant and another field with 400, and counts neither', async () => {
    const before = await counters().totals(DEMO_CAMPAIGN, today(), today());
    expect((await beacon({ type: 'view', campaign: DEMO_CAMPAIGN, variant: 'calm' })).status).toBe(400);
    expect((await postJson(`${server.url}/v1/events`, { type: 'view', campaign: DEMO_CAMPAIGN, variant: 'control', page: '/x' })).status).toBe(400);
    expect((await beacon({ type: 'view', campaign: 'no-such-campaign', variant: 'control' })).status).toBe(400);
    await server.eventsIdle();
    expect(await counters().totals(DEMO_CAMPAIGN, today(), today())).toEqual(before);
  });

  it('adds a batch delivered twice once (its marker), on DynamoDB Local', async () => {
    const day = '2026-01-02';
    const increments = [{ campaign: DEMO_CAMPAIGN, day, counts: { 'view:control': 5, 'click:control': 1 } }];
    await counters().add(increments, 'batch-twice');
    await counters().add(increments, 'batch-twice');
    await counters().add([{ campaign: DEMO_CAMPAIGN, day, counts: { 'view:control': 2 } }], 'batch-other');
    expect(await counters().totals(DEMO_CAMPAIGN, day, day)).toEqual({ control: { views: 7, clicks: 1 } });
  });

  it('reads the counters day by day as well as in total (the console\'s chart of a result over time)', async () => {
    const campaign = 'daily-campaign';
    await counters().add([{ campaign, day: '2026-02-01', counts: { 'view:control': 4, 'click:control': 1 } }], 'daily-1');
    await counters().add([{ campaign, day: '2026-02-01', counts: { 'view:control': 1, 'view:urgent': 3 } }], 'daily-2');
    await counters().add([{ campaign, day: '2026-02-03', counts: { 'view:urgent': 2 } }], 'daily-3');
    expect(await counters().daily(campaign, '2026-01-31', '2026-02-03')).toEqual({
      '2026-02-01': { control: { views: 5, clicks: 1 }, urgent: { views: 3, clicks: 0 } },
      '2026-02-03': { urgent: { views: 2, clicks: 0 } },
    });
    const dynamo = documentClient(server.clientOptions);
    const gift = (day: string, variant: string, amount: number) =>
      transactWrite(dynamo, () => [variantGiftUpdate(server.tables.donations, { campaign, variant, day, gifts: 1, raised: amount, squares: BigInt(amount) ** 2n, cubes: BigInt(amount) ** 3n })]);
    await gift('2026-02-01', 'urgent', 2500);
    await gift('2026-02-01', 'urgent', 1000);
    await gift('2026-02-02', 'control', 5000);
    const gifts = new DynamoVariantGiftCounters(dynamo, server.tables.donations);
    expect(await gifts.daily(campaign, '2026-02-01', '2026-02-03')).toEqual({
      '2026-02-01': { urgent: { gifts: 2, raised: 3500, raisedSquares: 2500 ** 2 + 1000 ** 2, raisedCubes: 2500 ** 3 + 1000 ** 3 } },
      '2026-02-02': { control: { gifts: 1, raised: 5000, raisedSquares: 5000 ** 2, raisedCubes: 5000 ** 3 } },
    });
    expect(await gifts.totals(campaign, '2026-02-01', '2026-02-03')).toEqual({
      urgent: { gifts: 2, raised: 3500, raisedSquares: 2500 ** 2 + 1000 ** 2, raisedCubes: 2500 ** 3 + 1000 ** 3 },
      control: { gifts: 1, raised: 5000, raisedSquares: 5000 ** 2, raisedCubes: 5000 ** 3 },
    });
  });
});
