import { describe, expect, it } from 'vitest';
import { normalizeEmail } from '../../functions/core/shared/email-address.js';
import { ValidationError } from '../../functions/core/shared/errors.js';

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
