import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';
import type { MailSender } from '../mail/emails.js';
import { addressKey, hasControlCharacters, normalizeEmail } from '../shared/email-address.js';
import { ValidationError } from '../shared/errors.js';
import type { Client } from '../shared/model.js';
import type { ConsentEvent, SignupRequest } from './model.js';
import { PersonName, RequestedLanguage, toPersonName } from './fields.js';
import type { Clock } from '../shared/ports.js';
import type { SignupAndMailQueue, Suppressions } from '../mail/ports.js';
import type { SubscriberRepository } from './ports.js';
import type { RateLimit, RateLimiter } from '../shared/limits.js';
import { inLanguage } from '../shared/i18n/index.js';
import { attributionFieldSchemas, attributionOf, pageOf } from '../experiments/attribution.js';
import { type Keys, keyedHash, makeUnsubscribeToken, newId } from '../shared/secrets.js';

export interface SubscriptionSettings {
  siteName: string;
  /** Absolute base URL of the public API, for links in emails. */
  apiBaseUrl: string;
  lists: { ids: string[]; default: string };
  consentVersion: string;
  confirmTtlSeconds: number;
  /** At most one confirmation (or note) per address in this many seconds. */
  mailIntervalSeconds: number;
  limits: { signupAddress: RateLimit };
  /** Who the mail comes from and how it looks (masthead, postal address): the mailer's; unset elsewhere. */
  sender?: MailSender | undefined;
}

export interface SubscriptionDeps {
  clock: Clock;
  subscribers: SubscriberRepository;
  rateLimiter: RateLimiter;
  queue: SignupAndMailQueue;
  /** Only lifted here (a confirmation lifts an earlier erase, bounce or complaint); the mailer reads and files them. */
  suppressions: Pick<Suppressions, 'remove'>;
  keys: Keys;
  settings: SubscriptionSettings;
}

/** What applying a signup job needs: not the queue it came from, nor the request limits it passed already. */
export type SignupWorkerDeps = Omit<SubscriptionDeps, 'queue' | 'rateLimiter' | 'suppressions'> & { suppressions: Suppressions };

const optionalText = (max: number) =>
  z.optional(
    z.pipe(
      z
        .string()
        .check(
          z.trim(),
          z.maxLength(max, `At most ${max} characters.`),
          z.refine((s) => !hasControlCharacters(s), 'Control characters are not allowed.'),
        ),
      z.transform((s) => (s === '' ? undefined : s)),
    ),
  );

/**
 * The names a signup's lists come by: `lists`, repeated in a form, and the same with brackets, as PHP and jQuery
 * name a repeated field (`lists[]`) and PHP's http_build_query and qs number it (`lists[0]`, `lists[1]`…).
 */
export const isListsField = (name: string) => /^lists(\[\d*\])?$/.test(name);

/** The body of `POST /v1/subscriptions`, JSON or form. */
export const SubscribeRequest = /* @__PURE__ */ onFirstUse(() => z.pipe(
  // Every lists field gathered into `lists`; any other bracketed name is refused at that name (400 invalid_field):
  // we read no nested fields, and one dropped without a word would sign the reader up to something else (a list
  // sent as `lists[news]`: the default list instead).
  z.transform((body: Record<string, unknown>, ctx) => {
    const lists: unknown[] = [];
    const fields: [string, unknown][] = [];
    for (const [name, value] of Object.entries(body)) {
      if (isListsField(name)) lists.push(...[value].flat());
      else if (name.includes('[')) {
        ctx.issues.push({ code: 'custom', message: 'Unexpected field: the only bracketed name read is lists[].', input: value, path: [name] });
      } else fields.push([name, value]);
    }
    return Object.fromEntries(lists.length ? [...fields, ['lists', lists]] : fields);
  }),
  z.object({
    email: z.string({ error: 'An email address is required.' }).check(z.maxLength(320, 'The email address is too long.')),
    name: z.optional(z.pipe(PersonName, z.transform((s) => (s === '' ? undefined : s)))),
    // One list or several (see above); none: the default list.
    lists: z._default(z.array(z.string().check(z.maxLength(64))), []),
    source: optionalText(2048).check(z.refine((s) => s === undefined || /^https?:\/\//i.test(s), 'Must be an http(s) URL.')),
    /** One of our languages, by its tag or a regional one ("uk", "uk-UA"); absent: the handler picks the reader's. */
    lang: RequestedLanguage,
    website: z.optional(z.string().check(z.maxLength(2048))),
    ...attributionFieldSchemas(),
  }),
));
export type SubscribeRequest = z.infer<typeof SubscribeRequest>;

/** The consent a request gives (a signup, a confirmation): when, where from, under which wording, from whom (hashed). */
export const consentEvent = (deps: Pick<SubscriptionDeps, 'clock' | 'settings' | 'keys'>, client: Client, source: string | undefined): ConsentEvent => ({
  at: deps.clock.now().toISOString(),
  source,
  wordingVersion: deps.settings.consentVersion,
  userAgent: client.userAgent?.slice(0, 512),
  ipHash: keyedHash(deps.keys.clientIp, client.ip),
});

const resolveLists = (settings: SubscriptionSettings, requested: string[]): string[] => {
  if (requested.length === 0) return [settings.lists.default];
  const unknown = requested.find((id) => !settings.lists.ids.includes(id));
  if (unknown !== undefined) throw new ValidationError('invalid_list', 'Unknown mailing list.', { field: 'lists' });
  return [...new Set(requested)];
};

/**
 * A reader asks to join. Validates the address and lists, counts the per-address limit, and puts a signup job
 * on the mail queue. Every valid address takes this same path (one counter, one queue message) so that the
 * answer and its timing never tell whether the address is already known; the job does the rest.
 * Throws ValidationError (`invalid_email`, `invalid_list`) and RateLimitedError.
 */
export const requestSubscription = async (
  deps: SubscriptionDeps,
  input: SubscribeRequest & { client: Client },
): Promise<void> => {
  const email = normalizeEmail(input.email);
  const lists = resolveLists(deps.settings, input.lists);
  await deps.rateLimiter.hit(deps.settings.limits.signupAddress, addressKey(deps.keys, email), deps.clock.now());
  if (input.website !== undefined && input.website.trim() !== '') return; // honeypot: same answer, nothing kept
  // The page without its query string and fragment, which may hold an address or a token (API.md).
  const source = input.source === undefined ? undefined : pageOf(input.source);
  const consent = { ...consentEvent(deps, input.client, source), origin: 'form' as const };
  const attribution = attributionOf({ ...input, source: undefined });
  await queueSignup(deps.queue, { email, name: input.name, lists, source, lang: input.lang, consent, ...(attribution ? { attribution } : {}) });
};

/**
 * Puts a signup job on the mail queue; the mailer applies it (see processSignup). The name is fitted to the one
 * name rule here, whichever path it came by (the form, or a donor's name from the payment provider).
 */
export const queueSignup = (queue: SignupAndMailQueue, request: SignupRequest) =>
  queue.enqueue({ kind: 'signup', id: newId(), request: { ...request, name: toPersonName(request.name) } });

/** The one-click unsubscribe link that every email to a subscriber carries. */
export const unsubscribeUrl = (deps: Pick<SubscriptionDeps, 'keys' | 'settings'>, email: string, lang?: string) =>
  inLanguage(`${deps.settings.apiBaseUrl}/v1/subscriptions/unsubscribe?token=${makeUnsubscribeToken(deps.keys.token, email)}`, lang);

/** A link token in a query string: present and of a sane length; its content is checked by the use case. */
export const TokenQuery = /* @__PURE__ */ onFirstUse(() => z.object({
  // A token given twice (a link pasted into itself, a tool that appended it again) is read as a list: say so.
  token: z
    .string({ error: (issue) => (Array.isArray(issue.input) ? 'The link has more than one token.' : 'The link is missing its token.') })
    .check(z.minLength(1, 'The link is missing its token.'), z.maxLength(4096)),
}));

/**
 * The body of an unsubscribe POST: RFC 8058's `List-Unsubscribe=One-Click` from a mail client, or nothing (the
 * page's button). Other fields are ignored; the token in the query string is what authenticates.
 */
export const OneClickBody = /* @__PURE__ */ onFirstUse(() => z.object({
  'List-Unsubscribe': z.optional(z.enum(['One-Click'], { error: 'RFC 8058 expects List-Unsubscribe=One-Click.' })),
}));
