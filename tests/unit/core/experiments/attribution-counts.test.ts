import { describe, expect, it } from 'vitest';
import { ATTRIBUTION_TOP, type AttributionRow, subscriberAttributionChange } from '../../../../functions/core/experiments/attribution-counts.js';
import { AttributionQuery, readAttribution } from '../../../../functions/core/experiments/attribution-report.js';
import type { Subscriber } from '../../../../functions/core/subscriptions/model.js';
import { safeParse } from '../../../../functions/core/shared/schema.js';

const subscriber = (overrides: Partial<Subscriber> = {}): Subscriber => ({
  email: 'a@example.org',
  status: 'pending',
  lists: ['news'],
  source: 'https://news.example.org/story',
  round: 'r1',
  createdAt: '2026-11-25T10:00:00.000Z',
  updatedAt: '2026-11-25T10:00:00.000Z',
  subscribedAt: '2026-11-25T10:00:00.000Z',
  consent: { signup: { at: '2026-11-25T10:00:00.000Z', wordingVersion: 'v1' } },
  lastJob: { id: 'job-1', mail: 'confirmation' },
  attribution: { utmSource: 'mail', utmCampaign: 'spring', variant: 'b' },
  version: 1,
  ...overrides,
});

describe('subscriberAttributionChange', () => {
  it('counts a signup when a new job is applied and a confirmation when the status enters confirmed, under the page and the UTM triple', () => {
    const signup = subscriberAttributionChange(undefined, subscriber());
    expect(signup).toEqual({
      day: '2026-11-25',
      keys: [
        { kind: 'page', source: 'https://news.example.org/story' },
        { kind: 'utm', utmSource: 'mail', utmMedium: undefined, utmCampaign: 'spring' },
      ],
      counts: { signups: 1 },
    });
    const pending = subscriber();
    expect(subscriberAttributionChange(pending, { ...pending, lastMailAt: '2026-11-25T10:01:00.000Z' })).toBeUndefined();
    const confirmed = { ...pending, status: 'confirmed' as const, updatedAt: '2026-11-26T08:00:00.000Z' };
    expect(subscriberAttributionChange(pending, confirmed)?.counts).toEqual({ confirmations: 1 });
    expect(subscriberAttributionChange(pending, confirmed)?.day).toBe('2026-11-26');
    expect(subscriberAttributionChange(confirmed, { ...confirmed })).toBeUndefined();
  });

  it('counts nothing for a reader who came with no attribution', () => {
    expect(subscriberAttributionChange(undefined, subscriber({ source: undefined, attribution: undefined }))).toBeUndefined();
  });
});

describe('readAttribution', () => {
  const row = (source: string, signups: number, gifts: number): AttributionRow => ({ key: { kind: 'page', source }, signups, confirmations: 0, gifts, raised: { usd: gifts * 2500 } });

  it('answers the top pages and sources of the last N days, most first', async () => {
    const asked: string[] = [];
    const rows = [
      row('https://a.example/low', 1, 0),
      row('https://a.example/high', 5, 3),
      ...Array.from({ length: 30 }, (_, i) => row(`https://a.example/${i}`, 0, 0)),
      { key: { kind: 'utm' as const, utmSource: 'mail' }, signups: 2, confirmations: 1, gifts: 1, raised: { usd: 2500 } },
    ];
    const answer = await readAttribution(
      {
        clock: { now: () => new Date('2026-11-25T10:00:00Z') },
        counters: {
          totals: async (since, until) => {
            asked.push(since, until);
            return rows;
          },
        },
      },
      7,
    );
    expect(asked).toEqual(['2026-11-19', '2026-11-25']);
    expect(answer.pages).toHaveLength(ATTRIBUTION_TOP);
    expect(answer.pages[0]).toEqual({ source: 'https://a.example/high', signups: 5, confirmations: 0, gifts: 3, raised: { usd: 7500 } });
    expect(answer.pages[1]?.source).toBe('https://a.example/low');
    expect(answer.sources).toEqual([{ utm_source: 'mail', utm_medium: null, utm_campaign: null, signups: 2, confirmations: 1, gifts: 1, raised: { usd: 2500 } }]);
  });

  it('takes 1 to 90 days, 30 unless asked', () => {
    expect(safeParse(AttributionQuery, {}).data).toEqual({ days: 30 });
    expect(safeParse(AttributionQuery, { days: '90' }).data).toEqual({ days: 90 });
    expect(safeParse(AttributionQuery, { days: '91' }).success).toBe(false);
    expect(safeParse(AttributionQuery, { days: '0' }).success).toBe(false);
    expect(safeParse(AttributionQuery, { days: 'x' }).success).toBe(false);
  });
});
