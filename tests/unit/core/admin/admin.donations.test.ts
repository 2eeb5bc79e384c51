import { describe, expect, it } from 'vitest';
import { accessSubscriber, eraseSubscriber } from '../../../../functions/core/admin/admin.js';
import type { DonorGifts } from '../../../../functions/core/admin/ports.js';
import type { Gift } from '../../../../functions/core/donations/model.js';
import { addressKey } from '../../../../functions/core/shared/email-address.js';
import { NotFoundError } from '../../../../functions/core/shared/errors.js';
import { makeSubscriptionDeps } from '../../../support/fakes.js';
import { MemoryDonorGifts } from '../../../support/admin-fakes.js';

const gift = (key: string, change: Partial<Gift> = {}): Gift => ({
  key,
  status: 'paid',
  campaign: 'ukraine',
  amount: 2500,
  currency: 'usd',
  frequency: 'once',
  donorEmail: 'donor@example.org',
  donorName: 'Dana Donor',
  refunded: 0,
  disputed: false,
  createdAt: '2026-11-02T10:00:00.000Z',
  updatedAt: '2026-11-02T10:00:00.000Z',
  contributed: { raised: 2500, donations: 1, donor: true },
  receiptQueued: true,
  signupQueued: false,
  version: 2,
  ...change,
});

const setup = (gifts: Gift[] = []) => {
  const t = makeSubscriptionDeps();
  const donorGifts = new MemoryDonorGifts(gifts);
  const deps = { clock: t.clock, subscribers: t.subscribers, suppressions: t.suppressions, keys: t.deps.keys, donorGifts };
  return { t, deps };
};

describe('an access request and the donations held for the address', () => {
  it('lists the donations beside the subscriber record: what, when, how much, and the name on them', async () => {
    const { t, deps } = setup([
      gift('pi_1', { refunded: 500 }),
      gift('pi_2', { createdAt: '2026-11-03T10:00:00.000Z', frequency: 'monthly', subscription: 'sub_1' }),
      gift('pi_other', { donorEmail: 'someone@example.org' }),
    ]);
    await t.subscribers.save({ email: 'donor@example.org', status: 'confirmed', lists: ['news'], round: 'r', createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z', subscribedAt: '2026-11-01T00:00:00.000Z', consent: { signup: { at: '2026-11-01T00:00:00.000Z', wordingVersion: 'v1' } }, version: 0 }, undefined);

    const record = await accessSubscriber(deps, 'Donor@Example.org');
    expect(record).toMatchObject({ email: 'donor@example.org', status: 'confirmed' });
    expect(record.donations).toEqual([
      { id: 'pi_1', createdAt: '2026-11-02T10:00:00.000Z', campaign: 'ukraine', amount: 2500, currency: 'usd', frequency: 'once', status: 'partially_refunded', refunded: 500, name: 'Dana Donor' },
      { id: 'pi_2', createdAt: '2026-11-03T10:00:00.000Z', campaign: 'ukraine', amount: 2500, currency: 'usd', frequency: 'monthly', status: 'paid', refunded: 0, name: 'Dana Donor' },
    ]);
  });

  it('answers for a donor who never subscribed, and after an erase, which keeps the donations', async () => {
    const { deps } = setup([gift('pi_1')]);
    expect(await accessSubscriber(deps, 'donor@example.org')).toEqual({ email: 'donor@example.org', donations: [expect.objectContaining({ id: 'pi_1' })] });
    await eraseSubscriber(deps, 'donor@example.org');
    expect(await accessSubscriber(deps, 'donor@example.org')).toMatchObject({
      status: 'suppressed',
      suppression: { reason: 'erased' },
      donations: [expect.objectContaining({ id: 'pi_1', status: 'paid' })],
    });
  });

  it('is 404 only when nothing at all is held', async () => {
    const { deps } = setup([gift('pi_1')]);
    await expect(accessSubscriber(deps, 'nobody@example.org')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('looks the gifts up by the address\'s keyed hash (the donor markers\' key)', async () => {
    const asked: [string, string][] = [];
    const { t, deps } = setup();
    const byMarker: DonorGifts = {
      find: async (email, key) => {
        asked.push([email, key]);
        return [gift('pi_1')];
      },
    };
    expect(await accessSubscriber({ ...deps, donorGifts: byMarker }, 'Donor@Example.org')).toEqual({
      email: 'donor@example.org',
      donations: [expect.objectContaining({ id: 'pi_1', campaign: 'ukraine' })],
    });
    expect(asked).toEqual([['donor@example.org', addressKey(t.deps.keys, 'donor@example.org')]]);
  });
});
