import * as z from 'zod/mini';
import { blankAsAbsent, instant, onFirstUse } from '../shared/schema.js';
import { EmailAddress, hasControlCharacters } from '../shared/email-address.js';
import { Attribution } from '../experiments/attribution.js';
import { LanguageCode, SubscriberStatus } from './status.js';

export { LanguageCode, SubscriberStatus };

export const NAME_MAX_LENGTH = 100;

/**
 * A reader's name as we store, greet with and export it: one line, no control characters (C0, C1, U+2028,
 * U+2029), at most 100 characters. The one rule for every path a name comes in by. The signup form refuses a
 * name that breaks it (the reader can fix it); a name from elsewhere is fitted to it with toPersonName.
 */
export const PersonName = /* @__PURE__ */ onFirstUse(() => z
  .string()
  .check(
    z.trim(),
    z.maxLength(NAME_MAX_LENGTH, `At most ${NAME_MAX_LENGTH} characters.`),
    z.refine((s) => !hasControlCharacters(s), 'Control characters are not allowed.'),
  ));

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


/**
 * `lang` as a request sends it (a form, a JSON body, a link): one of ours by its tag or a regional one ("uk",
 * "uk-UA"); blank is absent (a site's own form with an empty field); any other is refused (400 `invalid_field`).
 */
export const RequestedLanguage = /* @__PURE__ */ onFirstUse(() => blankAsAbsent(
  z.pipe(
    z.string().check(z.maxLength(35)),
    z.pipe(
      z.transform((tag: string) => tag.trim().toLowerCase().split(/[-_]/)[0]),
      LanguageCode,
    ),
  ),
));

/** A mailing list's id, as configured and as sent by the signup form. */
export const ListId = /* @__PURE__ */ onFirstUse(() => z.string().check(z.regex(/^[a-z0-9-]{1,64}$/, 'Lowercase letters, digits and dashes.')));


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
