import { describe, expect, it } from 'vitest';
import { coverFee, DEFAULT_FEE_RATES, type FeeRate, FeeRates, grossUp } from '../../../../functions/core/donations/fees.js';
import { ValidationError } from '../../../../functions/core/shared/errors.js';
import { parse, safeParse } from '../../../../functions/core/shared/schema.js';

const rates = parse(FeeRates, 'usd:0.029+30,eur:0.015+25,gbp:0.015+20,jpy:0.036+0,xts:0.5+0');
const rate = (currency: string) => rates[currency] as FeeRate;

describe('the fee gross-up, against a table worked by hand', () => {
  // total = ceil((amount + fixed) / (1 − rate)), e.g. (2500 + 30) / 0.971 = 2605.56… → 2606.
  it.each([
    ['usd', 1000, 1061, 61],
    ['usd', 2500, 2606, 106],
    ['usd', 941, 1000, 59], // (941 + 30) / 0.971 is exactly 1000: no binary rounding may make it 1001
    ['usd', 50, 83, 33],
    ['eur', 2500, 2564, 64],
    ['gbp', 1000, 1036, 36],
    ['jpy', 3000, 3113, 113], // a zero-decimal currency: whole yen, no fixed part
    ['xts', 100, 200, 100], // half of the charge: exactly twice the gift
  ])('in %s, a gift of %i costs %i, of which %i is the fee', (currency, amount, total, fee) => {
    expect(coverFee(rates, currency, amount)).toEqual({ total, feeCovered: fee });
  });

  it('leaves at least the gift once the fee is taken from the total, whichever way the percentage is rounded, and asks no more than needed', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let i = 0; i < 5000; i++) {
      const decimals = 1 + Math.floor(random() * 6);
      const written = `0.${String(Math.floor(random() * 10 ** decimals)).padStart(decimals, '0')}`;
      const custom = parse(FeeRates, `usd:${written}+${Math.floor(random() * 500)}`).usd as FeeRate;
      const amount = 1 + Math.floor(random() * 10_000_000);
      const total = grossUp(amount, custom);
      // Stripe's fee on the total: the percentage rounded up (the least favourable way), plus the fixed part.
      const percentage = (BigInt(total) * custom.numerator + custom.denominator - 1n) / custom.denominator;
      expect(BigInt(total) - percentage - BigInt(custom.fixed), `${amount} at ${written}+${custom.fixed}`).toBeGreaterThanOrEqual(BigInt(amount));
      // One less would leave less than the gift, even at the exact percentage.
      const less = BigInt(total - 1);
      expect(less * (custom.denominator - custom.numerator) < BigInt(amount + custom.fixed) * custom.denominator).toBe(true);
    }
  });

  it('refuses to cover the fee in a currency without a rate', () => {
    expect(() => coverFee(rates, 'cad', 2500)).toThrow(ValidationError);
    expect(() => coverFee(rates, 'cad', 2500)).toThrow('Covering the fee is not offered for gifts in CAD.');
  });
});

describe('FEE_RATES', () => {
  it('reads each currency as written, and has defaults for the default currencies', () => {
    expect(rate('usd')).toMatchObject({ rate: '0.029', numerator: 29n, denominator: 1000n, fixed: 30 });
    expect(Object.keys(parse(FeeRates, DEFAULT_FEE_RATES))).toEqual(['usd', 'eur', 'gbp']);
    expect(parse(FeeRates, '')).toEqual({});
  });

  it.each(['usd:2.9+30', 'usd:0.029', 'USD:0.029+30', 'usd:0.029+-1', 'usd:0.0290001+30', 'usd:1+0', 'usd:0.029+0.30'])('refuses %s, saying what it wants', (text) => {
    const result = safeParse(FeeRates, text);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toContain('is not currency:rate+fixed, such as usd:0.029+30');
  });
});
