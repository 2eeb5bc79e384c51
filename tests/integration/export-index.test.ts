import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoGiftLedger } from '../../functions/adapters/dynamo-donations.js';
import { DynamoExportSource } from '../../functions/adapters/dynamo-exports.js';
import { DynamoSubscriberRepository } from '../../functions/adapters/dynamo-subscriber-repository.js';
import type { Gift } from '../../functions/core/donations/model.js';
import type { Subscriber } from '../../functions/core/subscriptions/model.js';
import { startTables } from '../support/dynamodb.js';

let db: Awaited<ReturnType<typeof startTables>>;
beforeAll(async () => {
  db = await startTables();
});
afterAll(() => db.close());

const at = (i: number) => new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString();
const subscriber = (i: number): Subscriber => ({
  email: `reader-${i}@example.org`, status: 'confirmed', lists: ['news'], round: 'r', createdAt: at(i), updatedAt: at(i),
  subscribedAt: at(i), consent: { signup: { at: at(i), wordingVersion: 'v1' } }, version: 0,
});
const gift = (i: number): Gift => ({
  key: `pi_${i}`, status: 'paid', campaign: 'spread', amount: 100 + i, currency: 'usd', refunded: 0, disputed: false,
  createdAt: at(i), updatedAt: at(i), contributed: { raised: 0, donations: 0, donor: false }, receiptQueued: false, signupQueued: false, version: 0,
});

describe('the overloaded index, spread over partitions', () => {
  it('puts a busy status on several index partitions, and exports it whole in signup order', async () => {
    const repo = new DynamoSubscriberRepository(db.client, db.tables.subscribers, 4);
    const order = Array.from({ length: 40 }, (_, i) => i).sort((a, b) => ((a * 17) % 40) - ((b * 17) % 40));
    await Promise.all(order.map((i) => repo.save(subscriber(i), undefined)));
    const { Items = [] } = await db.client.send(new ScanCommand({ TableName: db.tables.subscribers, FilterExpression: 'begins_with(pk, :s)', ExpressionAttributeValues: { ':s': 'SUB#' } }));
    expect(new Set(Items.map((item) => item.gsi1pk)).size).toBeGreaterThan(4);

    const source = new DynamoExportSource(db.client, db.tables);
    const exported: string[] = [];
    for await (const s of source.subscribers({ status: 'confirmed' })) exported.push(s.email);
    expect(exported).toEqual(Array.from({ length: 40 }, (_, i) => `reader-${i}@example.org`));
    const since: string[] = [];
    for await (const s of source.subscribers({ status: 'confirmed', since: at(30) })) since.push(s.email);
    expect(since).toHaveLength(10);
  });

  it("exports a campaign's gifts from every partition in time order", async () => {
    const ledger = new DynamoGiftLedger(db.client, db.tables.donations);
    await Promise.all(Array.from({ length: 30 }, (_, i) => ledger.save(gift(29 - i), undefined)));
    const source = new DynamoExportSource(db.client, db.tables);
    const keys: string[] = [];
    for await (const g of source.gifts({ campaign: 'spread' })) keys.push(g.key);
    expect(keys).toEqual(Array.from({ length: 30 }, (_, i) => `pi_${i}`));
  });
});
