import { describe, expect, it } from 'vitest';
import { addressKey, EmailAddress, normalizeEmail } from '../../../../functions/core/shared/email-address.js';
import { ValidationError } from '../../../../functions/core/shared/errors.js';
import { testKeys } from '../../../support/fakes.js';

const rejects = (raw: string) => {
  try {
    normalizeEmail(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ code: 'invalid_email', field: 'email' });
    return;
  }
  throw new Error(`accepted ${JSON.stringify(raw)}`);
};

describe('normalizeEmail', () => {
  it('trims and lower-cases', () => {
    expect(normalizeEmail('  Reader.Name+tag@Example.ORG ')).toBe('reader.name+tag@example.org');
  });

  it('turns an internationalised domain into punycode', () => {
    expect(normalizeEmail('leser@bücher.de')).toBe('leser@xn--bcher-kva.de');
  });

  it('rejects CR, LF and other control characters, even inside', () => {
    rejects('a@example.org\r\nBcc: victim@example.org');
    rejects('a\u0000b@example.org');
    rejects('a@exa\tmple.org');
    rejects('a@example.org\u2028');
  });

  it('requires a domain of at least two labels', () => {
    rejects('reader@localhost');
    rejects('reader@example.');
    rejects('reader@.org');
    rejects('reader@example.123');
  });

  it('rejects malformed addresses', () => {
    for (const raw of ['', '@', 'no-at-sign', 'a@', '@example.org', 'a b@example.org', 'a..b@example.org', '"q"@example.org', 'a@-bad.org', 'a@b_c.org']) {
      rejects(raw);
    }
  });

  it('allows 64 characters before the @ and 254 in all, not more', () => {
    expect(normalizeEmail(`${'a'.repeat(64)}@example.org`)).toHaveLength(76);
    rejects(`${'a'.repeat(65)}@example.org`);
    const domain = `${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(63)}.${'d'.repeat(50)}.org`;
    expect(domain).toHaveLength(246);
    expect(normalizeEmail(`${'a'.repeat(7)}@${domain}`)).toHaveLength(254);
    rejects(`${'a'.repeat(8)}@${domain}`);
  });
});

describe('EmailAddress', () => {
  it('gives the same canonical form as normalizeEmail', () => {
    for (const raw of ['  Reader.Name+tag@Example.ORG ', 'Leser@Bücher.DE', 'leser@xn--bcher-kva.de']) {
      expect(EmailAddress.parse(raw)).toBe(normalizeEmail(raw));
    }
  });

  it('fails to parse what normalizeEmail rejects, with the same message', () => {
    const result = EmailAddress.safeParse('a@example.org\r\nBcc: victim@example.org');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('The email address contains control characters.');
  });
});

describe('addressKey', () => {
  it('is one key per mailbox, however the address was typed', () => {
    const key = addressKey(testKeys, 'leser@xn--bcher-kva.de');
    expect(addressKey(testKeys, ' LESER@Bücher.de')).toBe(key);
    expect(addressKey(testKeys, 'other@bücher.de')).not.toBe(key);
  });
});
