import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDonorGifts } from '../../functions/adapters/dynamo-donor-gifts.js';
import { DynamoCampaignRepository, DynamoGiftLedger } from '../../functions/adapters/dynamo-donations.js';
import type { Gift } from '../../functions/core/donations/model.js';
import { addressKey } from '../../functions/core/shared/email-address.js';
import { deriveKeys } from '../../functions/core/shared/secrets.js';
import { campaignSettings } from '../support/donation-fakes.js';
import { startTables } from '../support/dynamodb.js';

let db: Awaited<ReturnType<typeof startTables>>;
beforeAll(async () => {
  db = await startTables();
});
afterAll(() => db.close());

const keys = deriveKeys('donor-gifts-test-signing-key-0123456789');
const at = (i: number) => new Date(Date.UTC(2026, 10, 1, 0, 0, i)).toISOString();
const gift = (key: string, i: number, change: Partial<Gift> = {}): Gift => ({
  key, status: 'paid', campaign: 'spring', amount: 1000 + i, currency: 'usd', frequency: 'once', donorEmail: 'donor@example.org', refunded: 0,
  disputed: false, createdAt: at(i), updatedAt: at(i), contributed: { raised: 0, donations: 0, donor: false }, receiptQueued: false, signupQueued: false,
  version: 0, ...change,
});

describe('the donations held for an address (DynamoDB Local)', () => {
  it('finds every gift of the address in the campaigns its donor markers name, and nobody else\'s', async () => {
    const campaigns = new DynamoCampaignRepository(db.client, db.tables.donations, 2);
    for (const id of ['spring', 'autumn', 'winter']) await campaigns.saveSettings(campaignSettings({ id }), new Date());
    const ledger = new DynamoGiftLedger(db.client, db.tables.donations);
    const donor = addressKey(keys, 'donor@example.org');
    const counted = (g: Gift, newDonor?: string) => ledger.save(g, undefined, { campaign: g.campaign ?? '', shards: 2, raised: g.amount ?? 0, donations: 1, newDonor });

    // Spring: the first gift leaves the marker, a monthly gift and a failed one follow; someone else gives too.
    await counted(gift('pi_s1', 1), donor);
    await counted(gift('pi_s2', 2, { frequency: 'monthly', subscription: 'sub_1' }));
    await ledger.save(gift('pi_s3', 3, { status: 'failed' }), undefined);
    await counted(gift('pi_other', 4, { donorEmail: 'other@example.org' }), addressKey(keys, 'other@example.org'));
    // Autumn: the other donor only; and more gifts of other donors in spring.
    await Promise.all(Array.from({ length: 30 }, (_, i) => ledger.save(gift(`pi_x${i}`, 10 + i, { donorEmail: `x${i}@example.org` }), undefined)));
    await counted(gift('pi_a1', 6, { campaign: 'autumn', donorEmail: 'other@example.org' }), addressKey(keys, 'other@example.org'));

    const found = await new DynamoDonorGifts(db.client, db.tables.donations).find('donor@example.org', donor);
    expect(found.map((g) => g.key)).toEqual(['pi_s1', 'pi_s2', 'pi_s3']);
    expect(found.map((g) => g.status)).toEqual(['paid', 'paid', 'failed']);
    expect(await new DynamoDonorGifts(db.client, db.tables.donations).find('nobody@example.org', addressKey(keys, 'nobody@example.org'))).toEqual([]);
  });

  it('reads markers for more campaigns than one BatchGetItem takes', async () => {
    const campaigns = new DynamoCampaignRepository(db.client, db.tables.donations, 1);
    const ids = Array.from({ length: 105 }, (_, i) => `many-${String(i).padStart(3, '0')}`);
    for (const id of ids) await campaigns.saveSettings(campaignSettings({ id }), new Date());
    const donor = addressKey(keys, 'wide@example.org');
    await new DynamoGiftLedger(db.client, db.tables.donations).save(gift('pi_many', 1, { campaign: 'many-104', donorEmail: 'wide@example.org' }), undefined, {
      campaign: 'many-104', shards: 1, raised: 1001, donations: 1, newDonor: donor,
    });
    await new DynamoGiftLedger(db.client, db.tables.donations).save(gift('pi_first', 2, { campaign: 'many-000', donorEmail: 'wide@example.org' }), undefined, {
      campaign: 'many-000', shards: 1, raised: 1002, donations: 1, newDonor: donor,
    });
    const found = await new DynamoDonorGifts(db.client, db.tables.donations).find('wide@example.org', donor);
    expect(found.map((g) => g.key).sort()).toEqual(['pi_first', 'pi_many']);
  });
});
