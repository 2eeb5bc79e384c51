import { describe, expect, it } from 'vitest';
import { dayOf, giftDayChange, subscriberDayChange } from '../../../../functions/core/dashboard/counters.js';
import type { Gift } from '../../../../functions/core/donations/model.js';
import type { Subscriber } from '../../../../functions/core/subscriptions/model.js';

const AT = '2026-12-03T23:59:59.000Z';
const consent = { at: AT, wordingVersion: 'v1' };
const subscriber = (over: Partial<Subscriber> = {}): Subscriber => ({
  email: 'a@example.org',
  status: 'pending',
  lists: ['news'],
  round: 'r1',
  createdAt: AT,
  updatedAt: AT,
  subscribedAt: AT,
  consent: { signup: consent },
  lastJob: { id: 'job-1', mail: 'confirmation' },
  version: 1,
  ...over,
});
const gift = (over: Partial<Gift> = {}): Gift => ({
  key: 'pi_1',
  status: 'paid',
  campaign: 'ukraine',
  amount: 2500,
  currency: 'usd',
  frequency: 'once',
  refunded: 0,
  disputed: false,
  createdAt: AT,
  updatedAt: AT,
  contributed: { raised: 2500, donations: 1, donor: true },
  receiptQueued: false,
  signupQueued: false,
  version: 1,
  ...over,
});

describe('the mailing list day counters', () => {
  it('count a signup job the first time it is applied, on the day of the write', () => {
    expect(subscriberDayChange(undefined, subscriber())).toEqual({ day: '2026-12-03', counts: { signups: 1 }, signupJob: 'job-1' });
  });

  it('count nothing for a write that applies no new job and enters no counted status', () => {
    const before = subscriber();
    expect(subscriberDayChange(before, { ...before, lastMailAt: AT, version: 2 })).toBeUndefined();
  });

  it('count a second job for a confirmed address as a signup, and no status', () => {
    const confirmed = subscriber({ status: 'confirmed' });
    expect(subscriberDayChange(confirmed, { ...confirmed, lastJob: { id: 'job-2', mail: 'already_subscribed' } })?.counts).toEqual({ signups: 1 });
  });

  it.each([
    ['confirmed', 'confirmations'],
    ['unsubscribed', 'unsubscribes'],
    ['bounced', 'bounces'],
    ['complained', 'complaints'],
  ] as const)('count a subscriber entering %s as one of %s, once', (status, counter) => {
    const before = subscriber();
    const after = { ...before, status, updatedAt: '2026-12-04T00:00:00.000Z' };
    expect(subscriberDayChange(before, after)).toEqual({ day: '2026-12-04', counts: { [counter]: 1 } });
    expect(subscriberDayChange(after, { ...after, version: 3 })).toBeUndefined();
  });
});

describe('the gift day counters', () => {
  it('count a gift once when it is paid: one of its frequency, its amount, by campaign', () => {
    const processing = gift({ status: 'processing' });
    expect(giftDayChange(processing, gift())?.counts).toEqual({
      gifts: 1,
      'gifts:once': 1,
      'raised:usd': 2500,
      'campaign:ukraine:gifts': 1,
      'campaign:ukraine:raised:usd': 2500,
    });
    expect(giftDayChange(gift(), { ...gift(), receiptQueued: true })).toBeUndefined();
  });

  it('count a monthly payment as a monthly gift', () => {
    expect(giftDayChange(undefined, gift({ frequency: 'monthly' }))?.counts).toMatchObject({ gifts: 1, 'gifts:monthly': 1 });
  });

  it('count each refund by what it adds, and a refund that fails back off, on the day of the write', () => {
    const partly = gift({ refunded: 1000, updatedAt: '2026-12-05T10:00:00.000Z' });
    expect(giftDayChange(gift(), partly)).toEqual({ day: '2026-12-05', counts: { 'refunded:usd': 1000, 'campaign:ukraine:refunded:usd': 1000 } });
    const failed = gift({ refunded: 0, updatedAt: '2026-12-06T10:00:00.000Z' });
    expect(giftDayChange(partly, failed)).toEqual({ day: '2026-12-06', counts: { 'refunded:usd': -1000, 'campaign:ukraine:refunded:usd': -1000 } });
  });

  it('count a refund that came before its payment when the payment tells its currency', () => {
    const refundFirst: Gift = gift({ status: 'unknown', campaign: undefined, amount: undefined, currency: undefined, frequency: undefined, refunded: 700 });
    expect(giftDayChange(undefined, refundFirst)).toBeUndefined();
    expect(giftDayChange(refundFirst, gift({ refunded: 700 }))?.counts).toMatchObject({ gifts: 1, 'raised:usd': 2500, 'refunded:usd': 700 });
  });

  it('count a paid gift whose campaign is unknown in the totals, and in no campaign', () => {
    expect(giftDayChange(undefined, gift({ campaign: undefined }))?.counts).toEqual({ gifts: 1, 'gifts:once': 1, 'raised:usd': 2500 });
  });

  it('leave disputes out: the gift was paid, and stays counted', () => {
    expect(giftDayChange(gift(), gift({ disputed: true, disputes: { dp_1: 'open' } }))).toBeUndefined();
  });
});

it('reads the UTC day of an instant', () => {
  expect(dayOf('2026-12-31T23:59:59.999Z')).toBe('2026-12-31');
  expect(dayOf(new Date('2027-01-01T00:00:00.000Z'))).toBe('2027-01-01');
});
