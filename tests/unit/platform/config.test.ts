import { describe, expect, it } from 'vitest';
import { DonationConfig } from '../../../functions/donations/config.js';
import { isTimeZone, loadConfig } from '../../../functions/platform/config.js';

const base = {
  SITE_NAME: 'Example News',
  PUBLIC_API_URL: 'https://api.example.org/',
  SIGNING_SECRET_ID: 'appeal/signing',
  DONATIONS_TABLE_NAME: 'donations',
  STRIPE_SECRET_ID: 'appeal/stripe',
  CHARITY_NAME: 'Example Relief Fund',
  CHARITY_REGISTRATION: '1190000',
};

describe('a function configuration read from the environment', () => {
  it('reads numbers from their text, with the documented defaults when unset', () => {
    const config = loadConfig(DonationConfig, { ...base, CAMPAIGN_CACHE_SECONDS: '0', COUNTER_SHARDS: '40' });
    expect(config.CAMPAIGN_CACHE_SECONDS).toBe(0);
    expect(config.COUNTER_SHARDS).toBe(40);
    expect(config.CHECKOUT_CLIENT_LIMIT_PER_MINUTE).toBe(10);
    expect(config.PUBLIC_API_URL).toBe('https://api.example.org');
    const defaults = loadConfig(DonationConfig, base);
    expect([defaults.CAMPAIGN_CACHE_SECONDS, defaults.COUNTER_SHARDS]).toEqual([5, 20]);
  });

  it('refuses a number that is not one, a fraction or one out of range, naming the variable', () => {
    for (const [name, value] of [
      ['COUNTER_SHARDS', 'twenty'],
      ['COUNTER_SHARDS', '2.5'],
      ['COUNTER_SHARDS', '100'],
      ['CAMPAIGN_CACHE_SECONDS', '-1'],
      ['CHECKOUT_CLIENT_LIMIT_PER_MINUTE', '0'],
    ] as const) {
      expect(() => loadConfig(DonationConfig, { ...base, [name]: value }), `${name}=${value}`).toThrow(new RegExp(`invalid configuration: ${name}: `));
    }
  });

  it('takes a time zone by its form at cold start, and knows one by Intl where a stage is made', () => {
    for (const zone of ['UTC', 'Europe/London', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5', 'Europe/Kiev']) {
      expect(loadConfig(DonationConfig, { ...base, SITE_TIME_ZONE: zone }).SITE_TIME_ZONE, zone).toBe(zone);
      expect(isTimeZone(zone), zone).toBe(true);
    }
    expect(loadConfig(DonationConfig, base).SITE_TIME_ZONE).toBe('UTC');
    for (const zone of ['Europe London', '../etc/passwd', '/UTC', 'Europe/', 'x'.repeat(65)]) {
      expect(() => loadConfig(DonationConfig, { ...base, SITE_TIME_ZONE: zone }), zone).toThrow(/invalid configuration: SITE_TIME_ZONE: (An IANA time zone|At most 64)/);
    }
    // Of the right form, unknown to Intl: refused by the stage (tests/infra/appeal-settings.test.ts), not at cold start.
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
