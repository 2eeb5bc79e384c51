import * as z from 'zod';
import { EmailAddress, hasControlCharacters } from '../shared/email-address.js';

export const NAME_MAX_LENGTH = 100;

/**
 * A reader's name as we store, greet with and export it: one line, no control characters (C0, C1, U+2028,
 * U+2029), at most 100 characters. The one rule for every path a name comes in by. The signup form refuses a
 * name that breaks it (the reader can fix it); a name from elsewhere is fitted to it with toPersonName.
 */
export const PersonName = z
  .string()
  .trim()
  .max(NAME_MAX_LENGTH, `At most ${NAME_MAX_LENGTH} characters.`)
  .refine((s) => !hasControlCharacters(s), 'Control characters are not allowed.');

/**
 * Fits a name nobody can correct any more (a donor's name from the payment provider, a queued job) to
 * PersonName instead of refusing it, which would lose the signup: every run of control characters and line
 * breaks becomes one space, the ends are trimmed, and it is cut to 100 characters. Empty → undefined.
 */
export const toPersonName = (raw: string | undefined): string | undefined => {
  if (raw === undefined) return undefined;
  let out = '';
  for (const char of raw) out += hasControlCharacters(char) ? ' ' : char;
  const fitted = Array.from(out.replace(/\s+/g, ' ').trim()).slice(0, NAME_MAX_LENGTH).join('').trim();
  return fitted === '' ? undefined : fitted;
};

/** A mailing list's id, as configured and as sent by the signup form. */
export const ListId = z.string().regex(/^[a-z0-9-]{1,64}$/, 'Lowercase letters, digits and dashes.');

export const SubscriberStatus = z.enum(['pending', 'confirmed', 'unsubscribed', 'bounced', 'complained']);

export type SubscriberStatus = z.infer<typeof SubscriberStatus>;

/** What we keep as proof of consent, once for the signup and once for the confirmation. */
export const ConsentEvent = z.object({
  at: z.iso.datetime(),
  source: z.string().optional(),
  wordingVersion: z.string(),
  userAgent: z.string().optional(),
  ipHash: z.string().optional(),
  origin: z.enum(['form', 'donation']).optional(),
});

export type ConsentEvent = z.infer<typeof ConsentEvent>;

export const SignupMail = z.enum(['confirmation', 'already_subscribed', 'none']);

export type SignupMail = z.infer<typeof SignupMail>;

/** How many pending requests of one round a subscriber keeps (see Subscriber.requests). */
export const MAX_PENDING_REQUESTS = 5;

/**
 * One signup request of a pending address that was sent its own confirmation link, kept under its id (the
 * signup job's id, which the link carries): the link confirms exactly these lists, this name, this consent.
 */
export const PendingRequest = z.object({
  id: z.string(),
  name: z.string().optional(),
  lists: z.array(z.string()),
  source: z.string().optional(),
  consent: ConsentEvent,
});

export type PendingRequest = z.infer<typeof PendingRequest>;

export const Subscriber = z.object({
  email: z.string(),
  name: z.string().optional(),
  status: SubscriberStatus,
  lists: z.array(z.string()),
  source: z.string().optional(),
  /** The opt-in round: confirmation links are bound to it, so links from before an unsubscribe stop working. */
  round: z.string(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  subscribedAt: z.iso.datetime(),
  confirmedAt: z.iso.datetime().optional(),
  unsubscribedAt: z.iso.datetime().optional(),
  /** Last time a confirmation or note went out: at most one every few minutes. */
  lastMailAt: z.iso.datetime().optional(),
  /** The last signup job applied, and the mail it decided: a redelivered job replays the mail, not the write. */
  lastJob: z.object({ id: z.string(), mail: SignupMail }).optional(),
  consent: z.object({ signup: ConsentEvent, confirmation: ConsentEvent.optional() }),
  /**
   * While pending: the requests of this round that were sent a link, the last MAX_PENDING_REQUESTS of them, so
   * each link confirms what its own request asked (the fields above hold the latest request, for links made
   * before requests were kept). Dropped on confirmation and when the round ends.
   */
  requests: z.array(PendingRequest).optional(),
  version: z.number().int().nonnegative(),
});

export type Subscriber = z.infer<typeof Subscriber>;

export const SignupRequest = z.object({
  email: EmailAddress,
  /** Fitted, not refused: a job already on the queue (or a donor's name from Stripe) must not be lost for it. */
  name: z.string().optional().transform(toPersonName),
  lists: z.array(z.string()),
  source: z.string().optional(),
  consent: ConsentEvent,
});

export type SignupRequest = z.infer<typeof SignupRequest>;
