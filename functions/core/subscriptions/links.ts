import { addressKey, normalizeEmail } from '../shared/email-address.js';
import { InvalidTokenError } from '../shared/errors.js';
import type { Client } from '../shared/model.js';
import { retryOnConflict } from '../shared/retry.js';
import { newId, readConfirmToken, readUnsubscribeToken } from '../shared/secrets.js';
import { consentEvent, type SubscriptionDeps } from './subscriptions.js';

/*
 * What a reader's links do when posted: confirm a subscription, unsubscribe. A module of its own, apart from the
 * signup (subscriptions.ts), so that the subscriptions function loads these writes, with the subscriber store, only
 * with the first link posted (functions/subscriptions/sections.ts).
 */

/**
 * Confirms the pending subscription a confirmation link names, with exactly the lists, name, source and signup
 * consent of the request the link was sent for, records the confirmation's consent, and queues the welcome
 * email (deduplicated by the mailer, so it goes out once however often this runs). Confirming twice succeeds.
 * Throws InvalidTokenError for a forged or expired link, one from an earlier round (the address unsubscribed
 * since), or one whose request is no longer kept (more recent requests of the round took its place).
 */
export const confirmSubscription = async (
  deps: SubscriptionDeps,
  input: { token: string; client: Client },
): Promise<void> => {
  const token = readConfirmToken(deps.keys.token, input.token, deps.clock.now());
  const stale = () => new InvalidTokenError('This confirmation link is no longer valid.', { email: token.email });
  const subscriber = await retryOnConflict(async () => {
    const existing = await deps.subscribers.get(token.email);
    if (!existing || existing.round !== token.round) throw stale();
    if (existing.status === 'confirmed') return existing;
    if (existing.status !== 'pending') throw stale();
    const { requests, ...record } = existing;
    const asked = requests?.find((r) => r.id === token.request);
    if (!asked) throw stale();
    const at = deps.clock.now().toISOString();
    const confirmation = consentEvent(deps, input.client, asked.source);
    return deps.subscribers.save(
      {
        ...record,
        name: asked.name,
        lists: asked.lists,
        source: asked.source,
        lang: asked.lang ?? record.lang,
        attribution: asked.attribution,
        status: 'confirmed',
        confirmedAt: at,
        updatedAt: at,
        consent: { signup: asked.consent, confirmation },
      },
      existing,
    );
  });
  // Confirming afresh lifts an earlier erase, bounce or complaint.
  await deps.suppressions.remove(addressKey(deps.keys, subscriber.email));
  await deps.queue.enqueue({
    kind: 'welcome',
    id: newId(),
    email: normalizeEmail(subscriber.email),
    name: subscriber.name,
    round: subscriber.round,
    ...(subscriber.lang === undefined ? {} : { lang: subscriber.lang }),
  });
};

/** One-click unsubscribe (RFC 8058). Idempotent: an unknown or already-left address is a success too. */
export const unsubscribe = async (deps: SubscriptionDeps, input: { token: string }): Promise<void> => {
  const email = readUnsubscribeToken(deps.keys.token, input.token);
  await retryOnConflict(async () => {
    const existing = await deps.subscribers.get(email);
    if (!existing || (existing.status !== 'pending' && existing.status !== 'confirmed')) return;
    const at = deps.clock.now().toISOString();
    const { requests: _requests, ...record } = existing; // the round's links die with it: nothing left to confirm
    await deps.subscribers.save({ ...record, status: 'unsubscribed', unsubscribedAt: at, updatedAt: at }, existing);
  });
};
