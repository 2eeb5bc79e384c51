import * as z from 'zod';
import { EmailAddress } from '../shared/email-address.js';

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
  version: z.number().int().nonnegative(),
});

export type Subscriber = z.infer<typeof Subscriber>;

export const SignupRequest = z.object({
  email: EmailAddress,
  name: z.string().optional(),
  lists: z.array(z.string()),
  source: z.string().optional(),
  consent: ConsentEvent,
});

export type SignupRequest = z.infer<typeof SignupRequest>;
