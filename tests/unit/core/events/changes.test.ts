import { describe, expect, it } from 'vitest';
import { deriveEvents, emailSha256, type ItemChange } from '../../../../functions/core/events/changes.js';

const subscriber = (status: string, version: number, extra: Record<string, unknown> = {}) => ({
  pk: 'SUB#ada@example.org',
  sk: 'PROFILE',
  email: 'ada@example.org',
  name: 'Ada',
  status,
  lists: ['news'],
  lang: 'uk',
  round: 'r1',
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: `2026-11-0${version}T00:00:00.000Z`,
  subscribedAt: '2026-11-01T00:00:00.000Z',
  ...(status === 'confirmed' ? { confirmedAt: '2026-11-02T00:00:00.000Z' } : {}),
  consent: { signup: { at: '2026-11-01T00:00:00.000Z', wordingVersion: 'v1' } },
  version,
  ...extra,
});

const gift = (fields: Record<string, unknown> = {}) => ({
  pk: 'GIFT#pi_1',
  key: 'pi_1',
  status: 'paid',
  campaign: 'spring',
  amount: 2500,
  currency: 'usd',
  frequency: 'once',
  donorEmail: 'dee@example.org',
  donorName: 'Dee',
  refunded: 0,
  disputed: false,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-01T00:00:00.000Z',
  contributed: { raised: 2500, donations: 1, donor: true },
  receiptQueued: false,
  signupQueued: false,
  version: 1,
  ...fields,
});

const subs = (old: unknown, now: unknown): ItemChange => ({ table: 'subscribers', pk: 'SUB#ada@example.org', old: old as Record<string, unknown>, new: now as Record<string, unknown> });
const gifts = (old: unknown, now: unknown): ItemChange => ({ table: 'donations', pk: 'GIFT#pi_1', old: old as Record<string, unknown>, new: now as Record<string, unknown> });
const types = (change: ItemChange) => deriveEvents(change, 'en').map((d) => (d.kind === 'event' ? d.type : d.kind));

describe('what a subscriber change tells', () => {
  it('tells a confirmation with the reader as the newsletter tool needs them', () => {
    const [event] = deriveEvents(subs(subscriber('pending', 1), subscriber('confirmed', 2)), 'en');
    expect(event).toMatchObject({
      kind: 'event',
      type: 'subscriber.confirmed',
      data: { email: 'ada@example.org', name: 'Ada', lists: ['news'], lang: 'uk', status: 'confirmed', confirmedAt: '2026-11-02T00:00:00.000Z' },
    });
  });

  it('tells an unsubscribe, a bounce or a complaint once, and nothing for a write that changes no status', () => {
    expect(types(subs(subscriber('confirmed', 2), subscriber('unsubscribed', 3)))).toEqual(['subscriber.unsubscribed']);
    expect(types(subs(subscriber('confirmed', 2), subscriber('bounced', 3)))).toEqual(['subscriber.suppressed']);
    expect(types(subs(subscriber('bounced', 3), subscriber('complained', 4)))).toEqual([]);
    expect(types(subs(subscriber('confirmed', 2), subscriber('confirmed', 3, { lastMailAt: '2026-11-03T00:00:00.000Z' })))).toEqual([]);
    expect(types(subs(undefined, subscriber('pending', 1)))).toEqual([]);
  });

  it('gives the same change the same material (its event id) however often it is read, and another version another', () => {
    const once = deriveEvents(subs(subscriber('pending', 1), subscriber('confirmed', 2)), 'en');
    const again = deriveEvents(subs(subscriber('pending', 1), subscriber('confirmed', 2)), 'en');
    const later = deriveEvents(subs(subscriber('unsubscribed', 5), subscriber('confirmed', 6)), 'en');
    expect(once).toEqual(again);
    expect(once[0]).not.toEqual(later[0]);
  });

  it('tells an erase by the address\'s SHA-256 alone, and asks for every kept event about the person to be scrubbed', () => {
    const derived = deriveEvents(subs(subscriber('confirmed', 2), undefined), 'en');
    expect(derived).toEqual([
      { kind: 'erased', email: 'ada@example.org' },
      expect.objectContaining({ kind: 'event', type: 'subscriber.erased', data: { emailHash: emailSha256('ada@example.org') } }),
    ]);
    // (Its material names the item, but is only ever hashed, with a key, into the event's id.)
    expect(JSON.stringify(derived[1]?.kind === 'event' && derived[1].data)).not.toContain('ada@');
  });

  it('takes an erasure marker of a person with no subscriber record as an erase of their keyed hash', () => {
    expect(deriveEvents({ table: 'subscribers', pk: 'SUPPRESS#abc', new: { reason: 'erased', at: '2026-11-01T00:00:00.000Z' } }, 'en')).toEqual([{ kind: 'erased', subject: 'abc' }]);
    expect(deriveEvents({ table: 'subscribers', pk: 'SUPPRESS#abc', new: { reason: 'bounced', at: '2026-11-01T00:00:00.000Z' } }, 'en')).toEqual([]);
  });

  it('makes nothing of other items, or of an item that does not read as its kind', () => {
    expect(deriveEvents({ table: 'subscribers', pk: 'RATE#x', new: { hits: 1 } }, 'en')).toEqual([]);
    expect(deriveEvents(subs(undefined, { pk: 'SUB#x', status: 'confirmed' }), 'en')).toEqual([]);
  });
});

describe('what a gift change tells', () => {
  it('tells a payment once it is paid with its details, and not before', () => {
    expect(types(gifts(undefined, gift({ status: 'processing' })))).toEqual([]);
    const [paid] = deriveEvents(gifts(gift({ status: 'processing' }), gift()), 'en');
    expect(paid).toMatchObject({ type: 'donation.paid', data: { id: 'pi_1', campaign: 'spring', amount: 2500, currency: 'usd', frequency: 'once', status: 'paid', email: 'dee@example.org', name: 'Dee' } });
    expect(types(gifts(gift(), gift({ receiptQueued: true, version: 2 })))).toEqual([]);
  });

  it('tells each refund that grows the net refunded amount, partial then full', () => {
    const partial = deriveEvents(gifts(gift(), gift({ refunded: 1000 })), 'en');
    expect(partial).toMatchObject([{ type: 'donation.refunded', data: { status: 'partially_refunded' } }]);
    expect(deriveEvents(gifts(gift({ refunded: 1000 }), gift({ refunded: 2500 })), 'en')).toMatchObject([{ type: 'donation.refunded', data: { status: 'refunded' } }]);
    // A refund that failed gives the money back: no event (the contract has none for it).
    expect(types(gifts(gift({ refunded: 1000 }), gift({ refunded: 0 })))).toEqual([]);
  });

  it('tells a dispute opened and closed, won or lost', () => {
    expect(deriveEvents(gifts(gift(), gift({ disputed: true, disputes: { dp_1: 'open' } })), 'en')).toMatchObject([{ type: 'donation.disputed', data: { status: 'disputed' } }]);
    expect(deriveEvents(gifts(gift({ disputes: { dp_1: 'open' } }), gift({ disputes: { dp_1: 'won' } })), 'en')).toMatchObject([{ type: 'donation.dispute_closed', data: { status: 'won' } }]);
    expect(types(gifts(gift({ disputes: { dp_1: 'lost' } }), gift({ disputes: { dp_1: 'lost' } })))).toEqual([]);
  });

  it('tells all a gift has come to when it is first seen paid (the webhooks came in another order)', () => {
    expect(types(gifts(gift({ status: 'unknown', amount: undefined }), gift({ refunded: 2500, disputes: { dp_1: 'open' } })))).toEqual([
      'donation.paid',
      'donation.refunded',
      'donation.disputed',
    ]);
  });

  it('marks the first paid month of a monthly gift as its start, and tells the end of a monthly gift', () => {
    const [paid] = deriveEvents(gifts(undefined, gift({ frequency: 'monthly', subscription: 'sub_1' })), 'en');
    expect(paid).toMatchObject({ type: 'donation.paid', startsMonthly: 'sub_1' });
    const ended = deriveEvents({ table: 'donations', pk: 'MONTHLY#sub_1', old: { status: 'active' }, new: { status: 'ended', endedAt: '2026-12-01T00:00:00.000Z' } }, 'en');
    expect(ended).toEqual([{ kind: 'monthly-ended', subscription: 'sub_1', timestamp: '2026-12-01T00:00:00.000Z' }]);
    expect(deriveEvents({ table: 'donations', pk: 'MONTHLY#sub_1', old: { status: 'ended' }, new: { status: 'ended' } }, 'en')).toEqual([]);
  });
});
