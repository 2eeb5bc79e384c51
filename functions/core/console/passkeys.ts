import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod/mini';
import { InvalidTokenError, ValidationError } from '../shared/errors.js';
import type { Client } from '../shared/model.js';
import { limitClient } from '../shared/limits.js';
import { openToken, sealToken } from '../shared/secrets.js';
import { parse, safeParse, onFirstUse } from '../shared/schema.js';
import { recordAudit } from './audit.js';
import { type Editor, Passkey } from './model.js';
import type { Passkeys } from './ports.js';
import type { RelyingParty } from './relying-party.js';
import { type SignInDeps, signedIn } from './signin.js';

// Passkeys (WebAuthn) with @simplewebauthn/server, loaded with the first passkey page or post rather than at cold
// start: most requests (every page of a signed-in editor) need none of it.
const webauthn = () => import('@simplewebauthn/server');

/** How long a passkey ceremony may take, from the page to the post (the browser's own timeout is shorter). */
const CEREMONY_SECONDS = 5 * 60;

export interface PasskeyDeps extends SignInDeps {
  passkeys: Passkeys;
  rp: RelyingParty;
}

/**
 * What a passkey form carries besides the browser's answer: the challenge, sealed with its purpose, its end and (to
 * add one) the editor, so that the page stores nothing; its single use is recorded when it is posted back.
 */
const CeremonyState = /* @__PURE__ */ onFirstUse(() => z.object({ c: z.string().check(z.regex(/^[A-Za-z0-9_-]{43}$/)), x: z.int(), e: z.optional(z.string()) }));

const newCeremony = (deps: Pick<PasskeyDeps, 'keys' | 'clock'>, purpose: string, email?: string) => {
  const challenge = randomBytes(32).toString('base64url');
  const x = Math.floor(deps.clock.now().getTime() / 1000) + CEREMONY_SECONDS;
  return { challenge, state: sealToken(deps.keys.token, purpose, { c: challenge, x, ...(email ? { e: email } : {}) }) };
};

const EXPIRED = 'This passkey request has expired or was used already. Please try again.';

/** Opens a ceremony's state and uses up its challenge; throws InvalidTokenError when forged, late or used. */
const takeCeremony = async (deps: Pick<PasskeyDeps, 'keys' | 'clock' | 'nonces'>, purpose: string, state: string) => {
  const opened = openToken(deps.keys.token, purpose, state, CeremonyState);
  const until = new Date(opened.x * 1000);
  if (until.getTime() <= deps.clock.now().getTime()) throw new InvalidTokenError(EXPIRED);
  if (!(await deps.nonces.use(purpose, opened.c, new Date(until.getTime() + 60_000)))) throw new InvalidTokenError(EXPIRED);
  return opened;
};

/** The browser's answer, as the console's script posts it: JSON of a PublicKeyCredential (base64url fields). */
const CredentialJson = /* @__PURE__ */ onFirstUse(() => z.looseObject({ id: z.string().check(z.regex(/^[A-Za-z0-9_-]{16,1366}$/)), rawId: z.string(), type: z.literal('public-key'), response: z.looseObject({}) }));

const credentialOf = (text: string) => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new ValidationError('invalid_field', 'The passkey answer is not valid.', { field: 'response', cause });
  }
  const result = safeParse(CredentialJson, json);
  if (!result.success) throw new ValidationError('invalid_field', 'The passkey answer is not valid.', { field: 'response' });
  return result.data;
};

/** A stable, opaque WebAuthn user handle for an editor (no address on the authenticator's side). */
const userHandle = (email: string) => createHash('sha256').update(`appeal-editor:${email}`).digest();

/** The options and state of the account page's "Add a passkey". */
export const passkeyRegistration = async (deps: PasskeyDeps, editor: Editor) => {
  const { challenge, state } = newCeremony(deps, 'passkey-register', editor.email);
  const existing = await deps.passkeys.listFor(editor.email);
  const { generateRegistrationOptions } = await webauthn();
  const options = await generateRegistrationOptions({
    rpName: deps.rp.name,
    rpID: deps.rp.id,
    userName: editor.email,
    userID: new Uint8Array(userHandle(editor.email)),
    // As bytes: the library takes a string challenge for its UTF-8 bytes, and the browser signs those.
    challenge: Buffer.from(challenge, 'base64url'),
    attestationType: 'none',
    excludeCredentials: existing.map((p) => ({ id: p.id, ...(p.transports ? { transports: p.transports } : {}) })),
    // A discoverable credential: "Sign in with a passkey" then needs no address.
    authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
  });
  return { options, state };
};

/** Verifies and keeps a new passkey of the signed-in editor; records `passkey.add`. Throws InvalidTokenError or ValidationError. */
export const addPasskey = async (deps: PasskeyDeps, editor: Editor, input: { state: string; response: string; client: Client }) => {
  const ceremony = await takeCeremony(deps, 'passkey-register', input.state);
  if (ceremony.e !== editor.email) throw new InvalidTokenError(EXPIRED);
  const response = credentialOf(input.response);
  const { verifyRegistrationResponse } = await webauthn();
  const verified = await verifyRegistrationResponse({
    response: response as unknown as Parameters<typeof verifyRegistrationResponse>[0]['response'],
    expectedChallenge: ceremony.c,
    expectedOrigin: deps.rp.origin,
    expectedRPID: deps.rp.id,
    requireUserVerification: false,
  }).catch((cause: unknown) => {
    throw new ValidationError('invalid_field', 'The passkey could not be verified.', { field: 'response', cause });
  });
  if (!verified.verified) throw new ValidationError('invalid_field', 'The passkey could not be verified.', { field: 'response' });
  const { credential } = verified.registrationInfo;
  const passkey = {
    id: credential.id,
    email: editor.email,
    publicKey: Buffer.from(credential.publicKey).toString('base64url'),
    counter: credential.counter,
    ...(credential.transports?.length ? { transports: credential.transports.slice(0, 10) } : {}),
    createdAt: deps.clock.now().toISOString(),
  };
  // Checked as it will be stored: an authenticator's transport names are bounded by the schema, not trusted.
  await deps.passkeys.add(parse(Passkey, passkey));
  await recordAudit(deps, { actor: editor.email, action: 'passkey.add', client: input.client });
  return passkey;
};

/** The options and state of the sign-in page's "Sign in with a passkey" (any of the site's passkeys: no address asked). */
export const passkeySignInOptions = async (deps: Pick<PasskeyDeps, 'keys' | 'clock' | 'rp'>) => {
  const { challenge, state } = newCeremony(deps, 'passkey-signin');
  const { generateAuthenticationOptions } = await webauthn();
  const options = await generateAuthenticationOptions({ rpID: deps.rp.id, challenge: Buffer.from(challenge, 'base64url'), userVerification: 'preferred' });
  return { options, state };
};

const UNKNOWN_PASSKEY = 'This passkey is not one of the console\'s. Please sign in with an email link.';

/**
 * Signs in with a passkey: the challenge's state must be authentic, recent and unused; the credential one we hold;
 * its signature valid and its counter ahead of the stored one (moved on with a conditional write, so a replayed
 * assertion loses); its editor current. Starts a session and records `signin`. Throws InvalidTokenError.
 */
export const signInWithPasskey = async (deps: PasskeyDeps, input: { state: string; response: string; client: Client; userAgent?: string | undefined }) => {
  await limitClient(deps, deps.limits.client, input.client);
  const ceremony = await takeCeremony(deps, 'passkey-signin', input.state);
  const response = credentialOf(input.response);
  const passkey = await deps.passkeys.get(response.id);
  if (!passkey) throw new InvalidTokenError(UNKNOWN_PASSKEY);
  const { verifyAuthenticationResponse } = await webauthn();
  const verified = await verifyAuthenticationResponse({
    response: response as unknown as Parameters<typeof verifyAuthenticationResponse>[0]['response'],
    expectedChallenge: ceremony.c,
    expectedOrigin: deps.rp.origin,
    expectedRPID: deps.rp.id,
    credential: { id: passkey.id, publicKey: new Uint8Array(Buffer.from(passkey.publicKey, 'base64url')), counter: passkey.counter, ...(passkey.transports ? { transports: passkey.transports } : {}) },
    requireUserVerification: false,
  }).catch((cause: unknown) => {
    throw new InvalidTokenError('This passkey could not be verified.', { cause });
  });
  if (!verified.verified) throw new InvalidTokenError('This passkey could not be verified.');
  if (!(await deps.passkeys.recordUse(passkey.id, passkey.counter, verified.authenticationInfo.newCounter, deps.clock.now()))) {
    throw new InvalidTokenError('This passkey was used at the same moment elsewhere. Please try again.');
  }
  const editor = await deps.editors.get(passkey.email);
  if (!editor) throw new InvalidTokenError(UNKNOWN_PASSKEY);
  return signedIn(deps, editor, 'passkey', input);
};

/** Removes one of the signed-in editor's passkeys; records `passkey.remove`. */
export const removePasskey = async (deps: PasskeyDeps, editor: Editor, input: { id: string; client: Client }) => {
  if (await deps.passkeys.remove(input.id, editor.email)) {
    await recordAudit(deps, { actor: editor.email, action: 'passkey.remove', target: input.id, client: input.client });
  }
};
