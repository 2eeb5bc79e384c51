import type * as z from 'zod/mini';
import { fromText, onFirstUse, Refusal } from '../shared/schema.js';
import { ValidationError } from '../shared/errors.js';

/**
 * What the payment provider keeps of a charge in one currency: `rate` of it plus `fixed` minor units of that
 * currency (whole yen for JPY: a zero-decimal currency's minor unit is its major one). The rate is held as the
 * exact fraction it was written as (0.029 is 29 / 1000), so that no binary rounding ever moves a total by a cent.
 */
export interface FeeRate {
  /** The rate as written ("0.029"), for people. */
  rate: string;
  numerator: bigint;
  denominator: bigint;
  fixed: number;
}

const ENTRY = /^([a-z]{3}):(0(?:\.\d{1,6})?)\+(\d{1,9})$/;

/** One `currency:rate+fixed` entry, or undefined when it is not one. */
const feeRateOf = (entry: string): [string, FeeRate] | undefined => {
  const match = ENTRY.exec(entry);
  if (!match) return undefined;
  const [, currency = '', rate = '0', fixed = '0'] = match;
  const decimals = rate.split('.')[1] ?? '';
  return [currency, { rate, numerator: BigInt(decimals || '0'), denominator: 10n ** BigInt(decimals.length), fixed: Number(fixed) }];
};

/**
 * `FEE_RATES`: each currency's fee as `currency:rate+fixed`, comma-separated (`usd:0.029+30,eur:0.015+25`): a rate
 * below 1 with at most 6 decimals, and the fixed part in the currency's minor units.
 */
export const FeeRates = /* @__PURE__ */ onFirstUse(() =>
  fromText((text) => {
    const rates: Record<string, FeeRate> = {};
    for (const entry of text.split(',').map((s) => s.trim()).filter(Boolean)) {
      const parsed = feeRateOf(entry);
      if (!parsed) return new Refusal(`"${entry}" is not currency:rate+fixed, such as usd:0.029+30 (a rate below 1, the fixed part in minor units).`);
      rates[parsed[0]] = parsed[1];
    }
    return rates;
  }),
);
export type FeeRates = z.infer<typeof FeeRates>;

/** Stripe's standard card pricing in the default currencies; a stage sets its own account's with FEE_RATES. */
export const DEFAULT_FEE_RATES = 'usd:0.029+30,eur:0.015+25,gbp:0.015+20';

/**
 * What a donor pays so that `amount` remains once the provider has taken its fee from the whole charge:
 * `total = ceil((amount + fixed) / (1 − rate))`, in minor units, computed exactly. Then
 * `total − ceil(total × rate) − fixed ≥ amount` holds: whichever way the provider rounds its percentage, at
 * least the gift reaches the campaign.
 */
export const grossUp = (amount: number, fee: FeeRate): number => {
  const owed = BigInt(amount + fee.fixed) * fee.denominator;
  const kept = fee.denominator - fee.numerator;
  return Number((owed + kept - 1n) / kept);
};

/** A gift with its fee covered: what is charged (`total`) and the fee part of it (`feeCovered = total − amount`). */
export const coverFee = (rates: FeeRates, currency: string, amount: number) => {
  const fee = rates[currency];
  if (!fee) {
    throw new ValidationError('invalid_field', `Covering the fee is not offered for gifts in ${currency.toUpperCase()}.`, { field: 'coverFee' });
  }
  const total = grossUp(amount, fee);
  return { total, feeCovered: total - amount };
};
