import { type AdminDeps, accessSubscriber, eraseSubscriber } from '../admin/admin.js';
import { normalizeEmail, parseEmailAddress } from '../shared/email-address.js';
import { NotFoundError, ValidationError } from '../shared/errors.js';
import { type AuditDeps, recordAudit } from './audit.js';
import type { Actor } from './editors.js';

export type PeopleDeps = AuditDeps & Pick<AdminDeps, 'subscribers' | 'suppressions' | 'donorGifts' | 'keys' | 'clock'>;

/** Everything held about an address, as the admin API's data request shows it. */
export type HeldRecord = Awaited<ReturnType<typeof accessSubscriber>>;

/**
 * A data-subject access request from the console: recorded as `subscriber.show` before the look-up (asking counts,
 * whether or not anything is held), then the admin API's answer. Undefined when nothing at all is held.
 * ValidationError for a malformed address.
 */
export const showPerson = async (deps: PeopleDeps, who: Actor, rawEmail: string): Promise<HeldRecord | undefined> => {
  const email = normalizeEmail(rawEmail);
  await recordAudit(deps, { actor: who.actor, action: 'subscriber.show', target: email, client: who.client });
  try {
    return await accessSubscriber(deps, email);
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
};

/**
 * Erases an address once the editor has typed it again (`confirmation`, compared as addresses: case and spaces
 * aside), with the admin API's erase (a hashed suppression marker is all that stays); records `subscriber.erase`.
 * ValidationError (`field` confirm) when the confirmation names another address or none.
 */
export const erasePerson = async (deps: PeopleDeps, who: Actor, rawEmail: string, confirmation: string) => {
  const email = normalizeEmail(rawEmail);
  if (parseEmailAddress(confirmation) !== email) throw new ValidationError('invalid_field', `Type ${email} exactly to confirm the erase.`, { field: 'confirm' });
  await eraseSubscriber(deps, email);
  await recordAudit(deps, { actor: who.actor, action: 'subscriber.erase', target: email, client: who.client });
  return email;
};
