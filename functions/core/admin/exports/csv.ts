import type { Gift } from '../../donations/model.js';
import { type ClaimLine, scheduleDate } from '../../donations/gift-aid.js';
import { fractionDigits } from '../../shared/money.js';
import type { Subscriber } from '../../subscriptions/model.js';
import type { DonationStatus } from './model.js';
import type { Attribution } from '../../experiments/attribution.js';

export const SUBSCRIBER_COLUMNS = [
  'email', 'name', 'status', 'lists', 'subscribed_at', 'confirmed_at', 'unsubscribed_at', 'source',
  // Where the signup came from, and the reader's language (API.md, attribution).
  'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'component', 'variant', 'lang',
] as const;
/** API.md: columns are only ever added at the end (the decimal ones came last, for spreadsheets). */
export const DONATION_COLUMNS = [
  'id', 'created_at', 'campaign', 'amount', 'currency', 'frequency', 'status', 'donor_email', 'donor_name', 'refunded_amount',
  'amount_decimal', 'refunded_decimal',
  // Where the gift came from (API.md, attribution).
  'source', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'component', 'variant',
  // The covered fee (minor units, within `amount`), the tribute and the anonymous choice.
  'fee_covered', 'tribute_type', 'tribute_name', 'anonymous',
] as const;

/**
 * HMRC's Gift Aid schedule (the claim's spreadsheet), in its order: the donor's title, first and last name, house
 * name or number and postcode, then `aggregated_donations` and `sponsored_event` (left empty: each gift is claimed
 * on its own line, and none is a sponsored event), the donation's date (DD/MM/YY) and its amount in pounds (`25.00`).
 */
export const GIFT_AID_COLUMNS = [
  'title', 'first_name', 'last_name', 'house', 'postcode', 'aggregated_donations', 'sponsored_event', 'donation_date', 'amount',
] as const;

/**
 * The CSV dialect every export is written in (RFC 4180 with CRLF records), for the store's CSV writer.
 * The file starts with a UTF-8 byte-order mark, so that spreadsheet programs (Excel) read it as UTF-8.
 * csv-stringify quotes a cell that holds the record delimiter, which with CRLF records is only the pair: a lone
 * LF or CR, or a Unicode line break (NEL, LS, PS) that spreadsheets also split on, would go out bare and break
 * the row in two. So any line break, and space at either end, makes a cell quoted.
 */
export const CSV_OPTIONS = {
  // A byte-order mark first: Excel reads a CSV without one in the machine's legacy code page (API.md).
  bom: true,
  record_delimiter: 'windows',
  quoted_match: /^\s|\s$|[\n\r\u0085\u2028\u2029]/,
} as const;

/** Spreadsheet formula injection: a text cell starting with = + - @ tab or CR is prefixed with `'`. */
export const safeCell = (value: string | number | undefined): string => {
  if (value === undefined) return '';
  const text = String(value);
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
};

/** The attribution columns of a row, in the order of the columns above (the page first where a row has it). */
const attributionCells = (a: Attribution | undefined) => [a?.referrer, a?.utmSource, a?.utmMedium, a?.utmCampaign, a?.utmContent, a?.utmTerm, a?.component, a?.variant];

export const subscriberRow = (s: Subscriber): string[] =>
  [s.email, s.name, s.status, s.lists.join(';'), s.subscribedAt, s.confirmedAt, s.unsubscribedAt, s.source, ...attributionCells(s.attribution), s.lang].map(safeCell);

export const giftStatus = (g: Gift): DonationStatus => {
  if (g.disputed) return 'disputed';
  if (g.status === 'paid' && g.amount !== undefined && g.refunded >= g.amount) return 'refunded';
  if (g.status === 'paid' && g.refunded > 0) return 'partially_refunded';
  return g.status;
};

/**
 * Minor units in major units with the currency's own digits and a point, no grouping (`2500` usd → `25.00`, `2500`
 * jpy → `2500`), as every spreadsheet locale reads a number from a CSV. Exact: digits are moved, never divided.
 */
export const majorUnits = (minor: number | undefined, currency: string | undefined): string => {
  if (minor === undefined || currency === undefined || !Number.isInteger(minor)) return '';
  let digits: number;
  try {
    digits = fractionDigits(currency);
  } catch {
    return ''; // not an ISO 4217 code: no decimal form to give
  }
  const sign = minor < 0 ? '-' : '';
  const text = String(Math.abs(minor)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
};

export const donationRow = (g: Gift): string[] =>
  [
    g.key, g.createdAt, g.campaign, g.amount, g.currency, g.frequency, giftStatus(g), g.donorEmail, g.donorName, g.refunded,
    majorUnits(g.amount, g.currency), majorUnits(g.refunded, g.currency),
    g.attribution?.source, ...attributionCells(g.attribution),
    g.feeCovered ?? 0, g.tribute?.type, g.tribute?.name, String(g.anonymous === true),
  ].map(safeCell);

/** A claim line as a row of the `gift-aid` export (see GIFT_AID_COLUMNS). */
export const giftAidRow = (line: ClaimLine): string[] =>
  [line.title, line.firstName, line.lastName, line.house, line.postcode, '', '', scheduleDate(line.paidAt), majorUnits(line.amount, 'gbp')].map(safeCell);
