import * as z from 'zod/mini';
import { instant, onFirstUse } from '../shared/schema.js';
import { hasControlCharacters } from '../shared/email-address.js';

/**
 * The version of the declaration's wording (the catalogue's `donations.giftAid`, in every language): kept with each
 * declaration, so that the charity can show HMRC the words a donor agreed to. A new wording gets a new version.
 *
 * The wording is HMRC's model declaration for a donation and the donor's future ones (Chapter 3 of HMRC's Gift Aid
 * guidance for charities), with the statement that the donor is a UK taxpayer who pays any difference, and the
 * note of what the donor should tell the charity.
 */
export const GIFT_AID_DECLARATION_VERSION = 'hmrc-model-2026-12';

/** Gift Aid is claimed on gifts in pounds sterling only. */
export const GIFT_AID_CURRENCY = 'gbp';

/** A line of a postal address as Stripe Checkout collects it: one line of text, at most 200 characters. */
const AddressLine = () => z.string().check(z.maxLength(200), z.refine((s) => !hasControlCharacters(s), 'One line.'));

/** The donor's home address, as Checkout collected it (its billing address, required when Gift Aid is ticked). */
export const HomeAddress = /* @__PURE__ */ onFirstUse(() => z.object({
  line1: AddressLine(),
  line2: z.optional(AddressLine()),
  city: z.optional(AddressLine()),
  postalCode: z.optional(AddressLine()),
  /** ISO 3166-1 alpha-2, as Stripe gives it. */
  country: z.string().check(z.regex(/^[A-Z]{2}$/)),
}));
export type HomeAddress = z.infer<typeof HomeAddress>;

/**
 * A donor's Gift Aid declaration, kept with the gift it was made for (the same item, so written in the same
 * transaction): who made it (their name and home address, which HMRC's claim needs), the wording they agreed to
 * (its version) and when. A declaration is kept for six years after the end of the accounting period of the last
 * claim it supports (HMRC's record-keeping rule): see the README's Gift Aid section.
 */
export const GiftAidDeclaration = /* @__PURE__ */ onFirstUse(() => z.object({
  version: z.string().check(z.minLength(1), z.maxLength(64)),
  declaredAt: instant(),
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  address: HomeAddress,
}));
export type GiftAidDeclaration = z.infer<typeof GiftAidDeclaration>;

/** Whether a campaign in `currency` may offer Gift Aid on a site where `enabled` says whether the charity claims it. */
export const offersGiftAid = (enabled: boolean | undefined, currency: string) => enabled === true && currency === GIFT_AID_CURRENCY;

/**
 * The donor's first and last name as HMRC's schedule takes them (each at most 35 characters): the first word, and
 * the rest (a double-barrelled or particled surname stays whole). One word is a last name with no first name.
 */
export const splitName = (name: string): { firstName: string; lastName: string } => {
  const words = name.trim().split(/\s+/).filter(Boolean);
  if (words.length <= 1) return { firstName: '', lastName: (words[0] ?? '').slice(0, 35) };
  return { firstName: (words[0] ?? '').slice(0, 35), lastName: words.slice(1).join(' ').slice(0, 35) };
};

/**
 * The house name or number HMRC's schedule asks for (never the full address, at most 40 characters): the number
 * that starts the first line (`12`, `12a`, `12-14`), else the first line up to its first comma (a house name such
 * as `Rose Cottage`, or `Flat 3`).
 */
export const houseOf = (address: Pick<HomeAddress, 'line1'>): string => {
  const line = address.line1.trim();
  const number = /^(\d+[A-Za-z]?(?:\s*-\s*\d+[A-Za-z]?)?)(?=[\s,]|$)/.exec(line)?.[1];
  return (number ?? line.split(',')[0] ?? '').trim().slice(0, 40);
};

/** A UK postcode, spaced as Royal Mail writes it (`SW1A 1AA`); undefined when it is not one. */
const ukPostcode = (raw: string | undefined) => {
  const compact = (raw ?? '').toUpperCase().replace(/\s+/g, '');
  const match = /^([A-Z]{1,2}\d[A-Z\d]?)(\d[A-Z]{2})$/.exec(compact);
  return match ? `${match[1]} ${match[2]}` : undefined;
};

/**
 * The postcode HMRC's schedule asks for: the UK postcode, or `X` for a donor who lives abroad (HMRC's rule for an
 * overseas address). A UK address without a valid postcode gives undefined: the gift cannot be claimed as it is.
 */
export const postcodeOf = (address: Pick<HomeAddress, 'postalCode' | 'country'>): string | undefined =>
  address.country === 'GB' ? ukPostcode(address.postalCode) : 'X';

/** A gift as the claim needs it: only the fields read here. */
interface ClaimableGift {
  status: string;
  amount?: number | undefined;
  currency?: string | undefined;
  refunded: number;
  refunds?: Record<string, { amount: number; failed?: true | undefined }> | undefined;
  disputed: boolean;
  disputes?: Record<string, string> | undefined;
  paidAt?: string | undefined;
  giftAid?: GiftAidDeclaration | undefined;
}

/** One line of HMRC's Gift Aid schedule, before it is written (the amount in minor units, the date as an instant). */
export interface ClaimLine {
  title: string;
  firstName: string;
  lastName: string;
  house: string;
  postcode: string;
  amount: number;
  paidAt: string;
}

/**
 * The line a gift adds to a Gift Aid claim, or undefined when it may not be claimed: a paid GBP gift carrying the
 * donor's declaration, never refunded (in whole or part) and never disputed (whatever the outcome: a charity claims
 * only on gifts it is sure to keep, and claiming too little is safe where claiming too much is not), whose donor
 * gave a last name and a home address HMRC can read (a UK postcode, or an address abroad). `cancellations`, when
 * the donor cancelled their declarations: a gift paid after one that came after its declaration is not claimed (one
 * paid before still is, and a declaration made after a cancellation stands).
 */
export const claimLineOf = (gift: ClaimableGift, cancellations: readonly string[] = []): ClaimLine | undefined => {
  const declaration = gift.giftAid;
  if (!declaration || gift.status !== 'paid' || gift.currency !== GIFT_AID_CURRENCY || gift.amount === undefined || !gift.paidAt) return undefined;
  const everRefunded = gift.refunded > 0 || Object.values(gift.refunds ?? {}).some((r) => !r.failed && r.amount > 0);
  if (everRefunded || gift.disputed || Object.keys(gift.disputes ?? {}).length > 0) return undefined;
  const paidAt = gift.paidAt;
  if (cancellations.some((at) => at > declaration.declaredAt && at <= paidAt)) return undefined;
  const { firstName, lastName } = splitName(declaration.name);
  const postcode = postcodeOf(declaration.address);
  const house = houseOf(declaration.address);
  if (!lastName || !postcode || !house) return undefined;
  return { title: '', firstName, lastName, house, postcode, amount: gift.amount, paidAt: gift.paidAt };
};

/** A date as HMRC's schedule writes it, DD/MM/YY, on the UK's calendar (a gift at 00:30 in London on 1 April is April's). */
export const scheduleDate = (instant: string) => {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: '2-digit', month: '2-digit', year: '2-digit' }).formatToParts(new Date(instant));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('day')}/${part('month')}/${part('year')}`;
};
