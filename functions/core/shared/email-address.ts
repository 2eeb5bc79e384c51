import { domainToASCII } from 'node:url';
import { ValidationError } from './errors.js';

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

const invalid = (message: string) => new ValidationError('invalid_email', message, { field: 'email' });

/**
 * Normalises an address the way we store and compare it: trimmed, lower-cased, with an internationalised
 * domain in its punycode (ASCII) form. Throws ValidationError `invalid_email` for anything we would not mail.
 */
export const normalizeEmail = (raw: string): string => {
  if (hasControlCharacters(raw)) throw invalid('The email address contains control characters.');
  const trimmed = raw.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) throw invalid('Please enter a valid email address.');
  const local = trimmed.slice(0, at);
  const domain = domainToASCII(trimmed.slice(at + 1));
  if (local.length > MAX_LOCAL) throw invalid('The part before the @ may be at most 64 characters.');
  if (!LOCAL_PART.test(local)) throw invalid('Please enter a valid email address.');
  const labels = domain.split('.');
  if (domain === '' || labels.length < 2 || !labels.every((label) => LABEL.test(label))) {
    throw invalid('Please enter a valid email address.');
  }
  if (/^[0-9]+$/.test(labels[labels.length - 1] ?? '')) throw invalid('Please enter a valid email address.');
  const email = `${local}@${domain}`;
  if (email.length > MAX_TOTAL) throw invalid('The email address may be at most 254 characters.');
  return email;
};
