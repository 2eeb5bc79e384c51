import { describe, expect, it } from 'vitest';
import { InvalidTokenError } from '../../../../functions/core/shared/errors.js';
import {
  deriveKeys,
  keyedHash,
  makeConfirmToken,
  makeUnsubscribeToken,
  readConfirmToken,
  readUnsubscribeToken,
} from '../../../../functions/core/shared/secrets.js';
import { testKeys } from '../../../support/fakes.js';

const now = new Date('2026-11-25T10:00:00Z');
const inAWeek = new Date('2026-12-02T10:00:00Z');

describe('link tokens', () => {
  it('round-trips a confirmation token without showing the address', () => {
    const token = makeConfirmToken(testKeys.token, { email: 'reader@example.org', round: 'r1', request: 'job-1', expiresAt: inAWeek });
    expect(token).not.toContain('reader');
    expect(Buffer.from(token.slice(3), 'base64url').toString('latin1')).not.toContain('reader@example.org');
    expect(readConfirmToken(testKeys.token, token, now)).toEqual({ email: 'reader@example.org', round: 'r1', request: 'job-1', expiresAt: inAWeek });
  });

  it('carries the signup request a confirmation link confirms, unreadable', () => {
    const input = { email: 'reader@example.org', round: 'r1', request: 'job-1', expiresAt: inAWeek };
    const token = makeConfirmToken(testKeys.token, input);
    expect(Buffer.from(token.slice(3), 'base64url').toString('latin1')).not.toContain('job-1');
    expect(readConfirmToken(testKeys.token, token, now)).toEqual(input);
  });

  it('makes a different token each time (random nonce and IV)', () => {
    const input = { email: 'reader@example.org', round: 'r1', request: 'job-1', expiresAt: inAWeek };
    expect(makeConfirmToken(testKeys.token, input)).not.toBe(makeConfirmToken(testKeys.token, input));
  });

  it('rejects an expired confirmation token but names its address for a new link', () => {
    const token = makeConfirmToken(testKeys.token, { email: 'reader@example.org', round: 'r1', request: 'job-1', expiresAt: inAWeek });
    expect(() => readConfirmToken(testKeys.token, token, new Date('2026-12-02T10:00:01Z'))).toThrow(
      expect.objectContaining({ name: 'InvalidTokenError', email: 'reader@example.org' }),
    );
  });

  it('never opens a token of one purpose as another', () => {
    const unsubscribe = makeUnsubscribeToken(testKeys.token, 'reader@example.org');
    expect(() => readConfirmToken(testKeys.token, unsubscribe, now)).toThrow(InvalidTokenError);
    const confirm = makeConfirmToken(testKeys.token, { email: 'reader@example.org', round: 'r1', request: 'job-1', expiresAt: inAWeek });
    expect(() => readUnsubscribeToken(testKeys.token, confirm)).toThrow(InvalidTokenError);
  });

  it('rejects a tampered token, one from another key, and garbage', () => {
    const token = makeUnsubscribeToken(testKeys.token, 'reader@example.org');
    const flipped = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
    expect(() => readUnsubscribeToken(testKeys.token, flipped)).toThrow(InvalidTokenError);
    const otherKeys = deriveKeys('another-signing-secret-entirely-0123456789abcdef');
    expect(() => readUnsubscribeToken(otherKeys.token, token)).toThrow(InvalidTokenError);
    for (const junk of ['', 'v1.', 'v1.AAAA', 'x'.repeat(100), `v1.${'A'.repeat(60)}`]) {
      expect(() => readUnsubscribeToken(testKeys.token, junk)).toThrow(InvalidTokenError);
    }
  });

  it('keeps unsubscribe tokens valid forever', () => {
    const token = makeUnsubscribeToken(testKeys.token, 'reader@example.org');
    expect(readUnsubscribeToken(testKeys.token, token)).toBe('reader@example.org');
  });
});

describe('keys', () => {
  it('derives independent keys per purpose and refuses a short secret', () => {
    expect(testKeys.token.equals(testKeys.clientIp)).toBe(false);
    expect(keyedHash(testKeys.clientIp, '203.0.113.9')).not.toBe(keyedHash(testKeys.email, '203.0.113.9'));
    expect(keyedHash(testKeys.clientIp, '203.0.113.9')).not.toContain('203');
    expect(() => deriveKeys('short')).toThrow();
  });
});
