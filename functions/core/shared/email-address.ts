import { domainToASCII } from 'node:url';
import type * as z from 'zod/mini';
import { fromText, onFirstUse, Refusal } from './schema.js';
import { ValidationError } from './errors.js';
import { type Keys, keyedHash } from './secrets.js';

const MAX_TOTAL = 254;
const MAX_LOCAL = 64;
// Printable ASCII allowed in an unquoted local part (RFC 5322 dot-atom), without quotes or spaces.
const LOCAL_PART = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
/** C0, DEL and C1 controls and the Unicode line/paragraph separators: never part of an address or a name. */
export const hasControlCharacters = (value: string): boolean => {
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029) return true;
  }
  return false;
};

const INVALID = 'Please enter a valid email address.';

/** The address in the one form we store, compare and hash, or why we would not mail it. */
const canonical = (raw: string): { email: string } | { problem: string } => {
  if (hasControlCharacters(raw)) return { problem: 'The email address contains control characters.' };
  const trimmed = raw.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return { problem: INVALID };
  const local = trimmed.slice(0, at);
  const domain = domainToASCII(trimmed.slice(at + 1));
  if (local.length > MAX_LOCAL) return { problem: 'The part before the @ may be at most 64 characters.' };
  if (!LOCAL_PART.test(local)) return { problem: INVALID };
  const labels = domain.split('.');
  if (domain === '' || labels.length < 2 || !labels.every((label) => LABEL.test(label))) return { problem: INVALID };
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) return { problem: INVALID };
  const email = `${local}@${domain}`;
  if (email.length > MAX_TOTAL) return { problem: 'The email address may be at most 254 characters.' };
  return { email };
};

/**
 * The one email contract: an address trimmed, lower-cased, with an internationalised domain in its punycode
 * (ASCII) form. Every address that enters the product (a signup, a donor's from Stripe, SES feedback, an admin
 * request, a queue message) goes through it, so one mailbox has one form, one subscriber and one keyed hash.
 */
export const EmailAddress = /* @__PURE__ */ onFirstUse(() =>
  fromText((raw) => {
    const result = canonical(raw);
    return 'email' in result ? result.email : new Refusal(result.problem);
  }),
);
export type EmailAddress = z.infer<typeof EmailAddress>;

/**
 * {@link EmailAddress} for input a person typed: throws ValidationError `invalid_email` (field `email`) for
 * anything we would not mail.
 */
export const normalizeEmail = (raw: string): EmailAddress => {
  const result = canonical(raw);
  if ('problem' in result) throw new ValidationError('invalid_email', result.problem, { field: 'email' });
  return result.email;
};

/** The address in its canonical form, or undefined when it is not one we could mail (input from elsewhere). */
export const parseEmailAddress = (raw: string | undefined): EmailAddress | undefined => {
  if (raw === undefined) return undefined;
  const result = canonical(raw);
  return 'email' in result ? result.email : undefined;
};

/**
 * The keyed hash an address is filed under (suppression markers, donor markers, per-address limits, dedupe
 * keys): computed over the canonical form, so a reader and a donor with the same mailbox get the same key
 * however each typed it. Throws ValidationError for an address we would not mail.
 */
export const addressKey = (keys: Pick<Keys, 'email'>, email: string): string => keyedHash(keys.email, normalizeEmail(email));
