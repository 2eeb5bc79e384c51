import * as z from 'zod/mini';
import { instant, onFirstUse } from '../shared/schema.js';
import { EmailAddress } from '../shared/email-address.js';
import { Attribution } from '../experiments/attribution.js';
import { LanguageCode, SubscriberStatus } from './status.js';
import { toPersonName } from './fields.js';

export { LanguageCode, SubscriberStatus };
export { ListId, NAME_MAX_LENGTH, PersonName, RequestedLanguage, toPersonName } from './fields.js';

/** What we keep as proof of consent, once for the signup and once for the confirmation. */
export const ConsentEvent = /* @__PURE__ */ onFirstUse(() => z.object({
  at: instant(),
  source: z.optional(z.string()),
  wordingVersion: z.string(),
  userAgent: z.optional(z.string()),
  ipHash: z.optional(z.string()),
  origin: z.optional(z.enum(['form', 'donation'])),
}));

export type ConsentEvent = z.infer<typeof ConsentEvent>;

export const SignupMail = /* @__PURE__ */ onFirstUse(() => z.enum(['confirmation', 'already_subscribed', 'none']));

export type SignupMail = z.infer<typeof SignupMail>;

/** How many pending requests of one round a subscriber keeps (see Subscriber.requests). */
export const MAX_PENDING_REQUESTS = 5;

/**
 * One signup request of a pending address that was sent its own confirmation link, kept under its id (the
 * signup job's id, which the link carries): the link confirms exactly these lists, this name, this consent.
 */
export const PendingRequest = /* @__PURE__ */ onFirstUse(() => z.object({
  id: z.string(),
  name: z.optional(z.string()),
  lists: z.array(z.string()),
  source: z.optional(z.string()),
  /** The language the request asked in: its confirmation link's page, and the subscriber's once confirmed. */
  lang: z.optional(LanguageCode),
  consent: ConsentEvent,
  /** Where the request came from besides its page (`source`): the referrer, UTM fields, component, variant. */
  attribution: z.optional(Attribution),
}));

export type PendingRequest = z.infer<typeof PendingRequest>;

export const Subscriber = /* @__PURE__ */ onFirstUse(() => z.object({
  email: z.string(),
  name: z.optional(z.string()),
  status: SubscriberStatus,
  lists: z.array(z.string()),
  source: z.optional(z.string()),
  /** The reader's language: every email to them speaks it (absent when not known: the site's language). */
  lang: z.optional(LanguageCode),
  /** The opt-in round: confirmation links are bound to it, so links from before an unsubscribe stop working. */
  round: z.string(),
  createdAt: instant(),
  updatedAt: instant(),
  subscribedAt: instant(),
  confirmedAt: z.optional(instant()),
  unsubscribedAt: z.optional(instant()),
  /** Last time a confirmation or note went out: at most one every few minutes. */
  lastMailAt: z.optional(instant()),
  /** The last signup job applied, and the mail it decided: a redelivered job replays the mail, not the write. */
  lastJob: z.optional(z.object({ id: z.string(), mail: SignupMail })),
  consent: z.object({ signup: ConsentEvent, confirmation: z.optional(ConsentEvent) }),
  /**
   * While pending: the requests of this round that were sent a link, the last MAX_PENDING_REQUESTS of them, so
   * each link confirms what its own request asked (the fields above hold the latest request). Dropped on
   * confirmation and when the round ends.
   */
  requests: z.optional(z.array(PendingRequest)),
  version: z.int().check(z.gte(0)),
  /** Where the signup came from besides its page (`source`): the referrer, UTM fields, component, variant. */
  attribution: z.optional(Attribution),
}));

export type Subscriber = z.infer<typeof Subscriber>;

export const SignupRequest = /* @__PURE__ */ onFirstUse(() => z.object({
  email: EmailAddress,
  /** Fitted to PersonName, not refused: a job on the queue must not be lost for its name. */
  name: z.pipe(z.optional(z.string()), z.transform(toPersonName)),
  lists: z.array(z.string()),
  source: z.optional(z.string()),
  /**
   * The language the reader asked in (the form's `lang`, else their browser's); absent when not known (a donor's
   * opt-in from a payment whose checkout named none).
   */
  lang: z.optional(LanguageCode),
  consent: ConsentEvent,
  /** Where the signup came from besides its page (`source`); absent on jobs queued before it was kept. */
  attribution: z.optional(Attribution),
}));

export type SignupRequest = z.infer<typeof SignupRequest>;
