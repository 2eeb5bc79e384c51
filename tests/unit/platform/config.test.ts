import { describe, expect, it } from 'vitest';
import { DonationConfig } from '../../../functions/donations/config.js';
import { flag, isTimeZone, listOf, loadConfig, oneOf } from '../../../functions/platform/config.js';
import { wholeNumber } from '../../../functions/core/shared/schema.js';
import { CurrencyCode } from '../../../functions/core/donations/campaign.js';
import { safeParse } from '../../../functions/core/shared/schema.js';

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
      ['CHECKOUT_CLIENT_LIMIT_PER_MINUTE', ''],
      ['CHECKOUT_CLIENT_LIMIT_PER_MINUTE', ' 7'],
      ['CHECKOUT_CLIENT_LIMIT_PER_MINUTE', '1e3'],
      ['CHECKOUT_CLIENT_LIMIT_PER_MINUTE', '0x10'],
      ['CHECKOUT_CLIENT_LIMIT_PER_MINUTE', '99999999999999999'],
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

  it('reads a whole number in digits within its bounds, and says which bounds when it refuses one', () => {
    const shards = wholeNumber(1, 99);
    expect(safeParse(shards, '007')).toMatchObject({ success: true, data: 7 });
    expect(safeParse(shards, '99')).toMatchObject({ success: true, data: 99 });
    for (const text of ['0', '100', '-1', '2.5', '7.0', '', ' 7', 'seven']) {
      const result = safeParse(shards, text);
      expect(result.success, text).toBe(false);
      expect(result.error?.issues[0]?.message, text).toBe('A whole number from 1 to 99.');
    }
    expect(safeParse(wholeNumber(1), '0').error?.issues[0]?.message).toBe('A whole number, at least 1.');
    expect(safeParse(wholeNumber(1), '900719925474099')).toMatchObject({ success: true, data: 900719925474099 });
  });

  it('reads a switch as exactly true or false, and a choice as exactly one of its values', () => {
    expect([safeParse(flag(), 'true').data, safeParse(flag(), 'false').data]).toEqual([true, false]);
    for (const text of ['TRUE', '1', 'yes', '', 'true ']) expect(safeParse(flag(), text).error?.issues[0]?.message, text).toBe('true or false.');
    expect(safeParse(flag('GIFT_AID is true or false.'), 'on').error?.issues[0]?.message).toBe('GIFT_AID is true or false.');
    const language = oneOf(['en', 'uk', 'pl', 'es']);
    expect(safeParse(language, 'uk').data).toBe('uk');
    expect(safeParse(language, 'fr').error?.issues[0]?.message).toBe('One of: en, uk, pl, es.');
    expect(safeParse(language, 'EN').success).toBe(false);
    expect(() => loadConfig(DonationConfig, { ...base, EMBEDDED_CHECKOUT: 'yes' })).toThrow(/invalid configuration: EMBEDDED_CHECKOUT: true or false\./);
    expect(() => loadConfig(DonationConfig, { ...base, TAX_YEAR_START: '04-05' })).toThrow(/invalid configuration: TAX_YEAR_START: A tax year starts 01-01 or 04-06\./);
  });

  it('reads a list of entries, each checked by its own schema, and names the first bad one', () => {
    const currencies = listOf(CurrencyCode);
    expect(safeParse(currencies, 'usd, eur,,gbp ').data).toEqual(['usd', 'eur', 'gbp']);
    expect(safeParse(currencies, 'usd,USD').error?.issues[0]?.message).toBe('"USD": A lowercase ISO 4217 code, such as usd.');
    for (const text of ['', ' , ,']) expect(safeParse(currencies, text).error?.issues[0]?.message, text).toBe('At least one entry, comma-separated.');
    expect(loadConfig(DonationConfig, { ...base, CURRENCIES: 'gbp' }).CURRENCIES).toEqual(['gbp']);
    expect(loadConfig(DonationConfig, base).CURRENCIES).toEqual(['usd', 'eur', 'gbp']);
    expect(loadConfig(DonationConfig, { ...base, SITE_ORIGINS: 'https://news.example.org, http://localhost:3001' }).SITE_ORIGINS).toEqual([
      'https://news.example.org',
      'http://localhost:3001',
    ]);
    expect(() => loadConfig(DonationConfig, { ...base, SITE_ORIGINS: 'https://news.example.org,ftp://files.example.org' })).toThrow(
      /invalid configuration: SITE_ORIGINS: "ftp:\/\/files.example.org": Not an absolute http\(s\) URL\./,
    );
  });
});
