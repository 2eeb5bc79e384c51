import { ValidationError } from './errors.js';

/** Digits after the decimal point of a currency's minor unit (2 for usd, 0 for jpy), from the ICU data. */
export const fractionDigits = (currency: string): number =>
  new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions()
    .maximumFractionDigits ?? 2;

/** "25.00 USD" style, for emails and pages; money is always held as an integer of minor units. */
export const formatMoney = (minor: number, currency: string): string =>
  new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).format(
    minor / 10 ** fractionDigits(currency),
  );

/**
 * Parses a person's amount in major units ("25", "25.5", "1,000.00") into minor units. A comma is read only as a
 * thousands separator in groups of three ("1,250"): "12,50" means 12.50 in much of Europe and 1250 elsewhere, so
 * it is refused rather than guessed.
 */
export const parseMajorAmount = (text: string, currency: string, field = 'amount'): number => {
  const digits = fractionDigits(currency);
  const trimmed = text.trim();
  if (trimmed.includes(',') && !/^\d{1,3}(,\d{3})+(\.\d*)?$/.test(trimmed)) {
    const message = digits === 0 ? 'Please enter an amount such as 25 or 1,000.' : 'Please use a dot for cents, such as 12.50.';
    throw new ValidationError('invalid_amount', message, { field });
  }
  const cleaned = trimmed.replace(/,/g, '');
  const pattern = digits === 0 ? /^\d{1,12}$/ : new RegExp(`^\\d{1,12}(\\.\\d{1,${digits}})?$`);
  if (!pattern.test(cleaned)) throw new ValidationError('invalid_amount', 'Please enter an amount such as 25 or 25.50.', { field });
  const [whole = '0', part = ''] = cleaned.split('.');
  return Number(whole) * 10 ** digits + Number(part.padEnd(digits, '0') || '0');
};
