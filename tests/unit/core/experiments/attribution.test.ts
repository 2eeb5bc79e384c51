import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { attributionFieldSchemas, attributionFields, attributionOf, pageOf, SourceField } from '../../../../functions/core/experiments/attribution.js';
import { attributionFromMetadata, attributionMetadata } from '../../../../functions/core/experiments/attribution-metadata.js';
import { parse, safeParse } from '../../../../functions/core/shared/schema.js';
import { CheckoutRequest } from '../../../../functions/core/donations/model.js';
import { DonateQuery } from '../../../../functions/core/donations/donate-link.js';

const Fields = z.object({ source: SourceField, ...attributionFieldSchemas() });

describe('attribution fields', () => {
  it('keep a page without its query string and fragment, and only the referrer\'s origin', () => {
    const parsed = parse(Fields, {
      source: 'https://news.example.org/2026/story?email=ann%40example.org&token=abc#comments',
      referrer: 'https://www.google.com/search?q=appeal',
      utm_source: 'newsletter',
      component: 'banner',
      variant: 'urgent',
    });
    expect(parsed.source).toBe('https://news.example.org/2026/story');
    expect(parsed.referrer).toBe('https://www.google.com');
    expect(attributionOf(parsed)).toEqual({ source: 'https://news.example.org/2026/story', referrer: 'https://www.google.com', utmSource: 'newsletter', component: 'banner', variant: 'urgent' });
    expect(pageOf('ftp://example.org/a')).toBeUndefined();
  });

  it('refuse what the contract does not allow, naming the field', () => {
    const refused = (body: Record<string, unknown>) => safeParse(Fields, body).error?.issues[0]?.path[0];
    expect(refused({ utm_source: 'x'.repeat(101) })).toBe('utm_source');
    expect(refused({ utm_term: 'a\nb' })).toBe('utm_term');
    expect(refused({ component: 'popup' })).toBe('component');
    expect(refused({ variant: 'x'.repeat(41) })).toBe('variant');
    expect(refused({ variant: 'Urgent' })).toBe('variant');
    expect(refused({ referrer: 'android-app://com.google.android.gm' })).toBe('referrer');
    expect(refused({ source: 'javascript:alert(1)' })).toBe('source');
    expect(parse(Fields, { utm_source: 'x'.repeat(100), utm_medium: '  ', referrer: '' })).toEqual({ utm_source: 'x'.repeat(100), utm_medium: undefined, referrer: undefined });
    expect(attributionOf(parse(Fields, {}))).toBeUndefined();
  });

  it('are taken by the checkout body, and a donation link drops the ones it cannot read instead of failing', () => {
    const body = parse(CheckoutRequest, { campaign: 'c', amount: 2500, currency: 'usd', source: 'https://a.example/p?x=1', utm_campaign: 'spring', variant: 'b' });
    expect(attributionOf(body)).toEqual({ source: 'https://a.example/p', utmCampaign: 'spring', variant: 'b' });
    const link = parse(DonateQuery, { campaign: 'c', amount: '2500', component: 'popup', variant: 'Bad Id', utm_source: 'mail' });
    expect(attributionOf(link)).toEqual({ utmSource: 'mail' });
  });

  it('go back into a form as the request fields they came from', () => {
    const attribution = { source: 'https://a.example/p', referrer: 'https://b.example', utmContent: 'top', component: 'chooser' as const };
    expect(attributionFields(attribution)).toEqual({ source: 'https://a.example/p', referrer: 'https://b.example', utm_content: 'top', component: 'chooser' });
    expect(attributionOf(parse(Fields, attributionFields(attribution)))).toEqual(attribution);
  });
});

describe('attribution in Stripe metadata', () => {
  const full = {
    source: `https://news.example.org/${'a'.repeat(1990)}`.slice(0, 2000),
    referrer: 'https://www.example.com',
    utmSource: 's'.repeat(100),
    utmMedium: 'm'.repeat(100),
    utmCampaign: 'c'.repeat(100),
    utmContent: 'n'.repeat(100),
    utmTerm: 't'.repeat(100),
    component: 'upsell' as const,
    variant: 'v'.repeat(40),
  };

  it('stays within Stripe\'s limits (keys up to 40 characters, values up to 500, 12 keys at most) and comes back whole', () => {
    const metadata = attributionMetadata(full);
    expect(Object.keys(metadata).length).toBeLessThanOrEqual(12);
    for (const [key, value] of Object.entries(metadata)) {
      expect(key.length).toBeLessThanOrEqual(40);
      expect(value.length).toBeLessThanOrEqual(500);
    }
    expect(attributionFromMetadata(metadata)).toEqual(full);
    expect(attributionMetadata(undefined)).toEqual({});
    expect(attributionFromMetadata({ campaign: 'c' })).toBeUndefined();
  });

  it('drops a field edited into something we would not have written', () => {
    expect(attributionFromMetadata({ var: 'Not A Variant', cmp: 'banner' })).toEqual({ component: 'banner' });
  });
});
