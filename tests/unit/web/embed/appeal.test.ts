import { describe, expect, it } from 'vitest';
import { formatAmount, formatCount } from '../../../../functions/core/shared/i18n/format.js';
import { LANGUAGES } from '../../../../functions/core/shared/i18n/index.js';
import { messagesOf } from '../../../../functions/core/shared/i18n/catalogue.js';
import { feeExtra, nextMonth } from '../../../../web/embed/banner.js';
import { FeeRates, grossUp } from '../../../../functions/core/donations/fees.js';
import { parse } from '../../../../functions/core/shared/schema.js';
import { count, money } from '../../../../web/embed/format.js';

describe("the banner's arithmetic", () => {
  // Worked by hand: total = ceil((amount + fixed) / (1 − rate)), the extra is total − amount (API.md).
  it.each([
    // amount, rate, fixed (minor units), extra, as the box names it in English
    [2500, 0.029, 30, 106, 'usd', '$1.06'], // 2530 / 0.971 = 2605.56… → 2606
    [1000, 0.029, 30, 61, 'usd', '$0.61'], // 1030 / 0.971 = 1060.76… → 1061
    [1000, 0.015, 25, 41, 'eur', '€0.41'], // 1025 / 0.985 = 1040.60… → 1041
    [1000, 0.036, 0, 38, 'jpy', '¥38'], // a zero-decimal currency: 1000 / 0.964 = 1037.34… → 1038
    [5000, 0.02, 20, 123, 'gbp', '£1.23'], // 5020 / 0.98 = 5122.44… → 5123
  ])('covers the fee of %i at %d + %i: %i more (%s)', (amount, rate, fixed, extra, currency, words) => {
    expect(feeExtra(amount, { rate, fixed })).toBe(extra);
    expect(money('en', extra, currency)).toBe(words);
  });

  it("names the API's own total for every amount and rate (the box and the charge never differ by a cent)", () => {
    for (const written of ['usd:0.029+30', 'eur:0.015+25', 'jpy:0.036+0', 'gbp:0.014+20', 'usd:0.123457+7']) {
      const [currency, fee] = Object.entries(parse(FeeRates, written))[0] ?? [];
      if (!fee) throw new Error(written);
      for (let amount = 100; amount <= 200_000; amount += 37) {
        expect(feeExtra(amount, { rate: Number(fee.rate), fixed: fee.fixed }), `${amount} ${currency}`).toBe(grossUp(amount, fee) - amount);
      }
    }
  });

  it('offers next month on the same day, or on the last day of a shorter month', () => {
    expect(nextMonth(new Date(2026, 0, 15))).toBe('2026-02-15');
    expect(nextMonth(new Date(2026, 0, 31))).toBe('2026-02-28');
    expect(nextMonth(new Date(2028, 0, 31))).toBe('2028-02-29');
    expect(nextMonth(new Date(2026, 11, 31))).toBe('2027-01-31');
  });

  it('formats money and counts exactly as the pages and emails do, in every language', () => {
    for (const language of LANGUAGES) {
      for (const [minor, currency] of [[4750, 'usd'], [5000000, 'usd'], [1250, 'eur'], [4750, 'jpy'], [99, 'gbp'], [100000, 'uah']] as const) {
        expect(money(language, minor, currency), `${language} ${minor} ${currency}`).toBe(formatAmount(language, minor, currency));
      }
      for (const n of [0, 1, 2, 5, 21, 1234]) {
        const forms = messagesOf(language).widget.banner.donors;
        expect(count(language, n, forms)).toBe(formatCount(language, n, forms));
      }
    }
  });
});
