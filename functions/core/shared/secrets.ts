import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { safeParse, type Schema, onFirstUse } from './schema.js';
import { InvalidTokenError } from './errors.js';

/** Keys derived from the one signing secret kept in Secrets Manager; each has a single purpose. */
export interface Keys {
  readonly token: Buffer;
  readonly clientIp: Buffer;
  readonly email: Buffer;
}

const derive = (secret: string, purpose: string): Buffer =>
  Buffer.from(hkdfSync('sha256', secret, 'appeal', `appeal:${purpose}`, 32));

export const deriveKeys = (secret: string): Keys => {
  if (secret.length < 32) throw new Error('the signing secret must be at least 32 characters');
  return { token: derive(secret, 'token'), clientIp: derive(secret, 'client-ip'), email: derive(secret, 'email') };
};

/** Keyed hash (HMAC-SHA256, base64url) for values we must compare but never store in clear: IPs, erased emails. */
export const keyedHash = (key: Buffer, value: string): string =>
  createHmac('sha256', key).update(value).digest('base64url');

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Seals a payload into an opaque URL-safe token with AES-256-GCM. The purpose is bound as associated data, so
 * a token made for one purpose never opens for another; the address inside is unreadable to anyone holding
 * the link alone, and nothing about the token is stored.
 */
export const sealToken = (key: Buffer, purpose: string, payload: unknown): string => {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(purpose));
  const body = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  return `v1.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
};

export const openToken = <T>(key: Buffer, purpose: string, token: string, schema: Schema<T>): T => {
  const forged = () => new InvalidTokenError('This link is not valid. It may have been copied incompletely.');
  if (!/^v1\.[A-Za-z0-9_-]{40,2000}$/.test(token)) throw forged();
  const raw = Buffer.from(token.slice(3), 'base64url');
  if (raw.length < IV_BYTES + TAG_BYTES + 2) throw forged();
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES)).setAAD(Buffer.from(purpose));
    decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
    const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
    const parsed = safeParse(schema, JSON.parse(text.toString('utf8')));
    if (!parsed.success) throw forged();
    return parsed.data;
  } catch (error) {
    if (error instanceof InvalidTokenError) throw error;
    throw forged();
  }
};

/** `q`: the signup request the link confirms. */
const ConfirmPayload = /* @__PURE__ */ onFirstUse(() => z.object({ e: z.string(), r: z.string(), q: z.string(), x: z.int(), n: z.string() }));
const UnsubscribePayload = /* @__PURE__ */ onFirstUse(() => z.object({ e: z.string() }));

export interface ConfirmToken {
  email: string;
  round: string;
  /** The signup request whose lists, name and consent the link confirms. */
  request: string;
  expiresAt: Date;
}

/**
 * Confirmation links: bound to one opt-in round and one signup request of it, expiring; 128 random bits besides
 * the 128-bit GCM tag.
 */
export const makeConfirmToken = (key: Buffer, token: ConfirmToken): string =>
  sealToken(key, 'confirm', {
    e: token.email,
    r: token.round,
    q: token.request,
    x: Math.floor(token.expiresAt.getTime() / 1000),
    n: randomBytes(16).toString('base64url'),
  });

export const readConfirmToken = (key: Buffer, token: string, now: Date): ConfirmToken => {
  const payload = openToken(key, 'confirm', token, ConfirmPayload);
  const expiresAt = new Date(payload.x * 1000);
  if (expiresAt.getTime() <= now.getTime()) {
    throw new InvalidTokenError('This confirmation link has expired.', { email: payload.e, expired: 'confirm' });
  }
  return { email: payload.e, round: payload.r, request: payload.q, expiresAt };
};

/** Unsubscribe links never expire (RFC 8058 links must keep working in old mail). */
export const makeUnsubscribeToken = (key: Buffer, email: string): string =>
  sealToken(key, 'unsubscribe', { e: email });

export const readUnsubscribeToken = (key: Buffer, token: string): string =>
  openToken(key, 'unsubscribe', token, UnsubscribePayload).e;

const ManagePayload = /* @__PURE__ */ onFirstUse(() => z.object({ c: z.string().check(z.minLength(1), z.maxLength(255)), x: z.int() }));

export interface ManageToken {
  /** The Stripe customer whose Customer Portal the link opens. */
  customer: string;
  expiresAt: Date;
}

/**
 * Links that open a monthly donor's Stripe Customer Portal (no account: the link is the credential). They expire,
 * unlike unsubscribe links: the portal shows the donor's billing details and can stop the gift, and every monthly
 * receipt carries a fresh link, so a donor always holds a live one while old or forwarded mail stops working.
 */
export const makeManageToken = (key: Buffer, token: ManageToken): string =>
  sealToken(key, 'manage', { c: token.customer, x: Math.floor(token.expiresAt.getTime() / 1000) });

export const readManageToken = (key: Buffer, token: string, now: Date): ManageToken => {
  const payload = openToken(key, 'manage', token, ManagePayload);
  const expiresAt = new Date(payload.x * 1000);
  if (expiresAt.getTime() <= now.getTime()) {
    throw new InvalidTokenError('This link to manage your monthly gift has expired. Please use the link in your most recent receipt.', {
      expired: 'manage',
    });
  }
  return { customer: payload.c, expiresAt };
};

export const newId = (bytes = 16): string => randomBytes(bytes).toString('base64url');
