import * as z from 'zod/mini';
import { onFirstUse } from '../shared/schema.js';
import { CampaignId, RequestedLanguage } from '../donations/model.js';
import { addressKey, normalizeEmail } from '../shared/email-address.js';
import { ValidationError } from '../shared/errors.js';
import type { Language } from '../shared/i18n/index.js';
import { limitClient, type RateLimit, type RateLimiter } from '../shared/limits.js';
import type { Client } from '../shared/model.js';
import type { Clock } from '../shared/ports.js';
import { type Keys, openToken, sealToken } from '../shared/secrets.js';
import { addDays, dateIn, zonedTime } from './calendar.js';
import type { ReminderStore } from './ports.js';

/** The hour a reminder goes out on its day, in the site's time zone (SITE_TIME_ZONE). */
export const REMINDER_HOUR = 9;
/**
 * How many days late a reminder may still go out (the job stopped, or fell behind), and how long after its day a
 * reminder nobody could send is kept: a reminder for Giving Tuesday is no use a week later.
 */
export const REMINDER_GRACE_DAYS = 3;

/** `POST /v1/reminders`, JSON or form. */
export const ReminderRequest = /* @__PURE__ */ onFirstUse(() => z.strictObject({
  email: z.string({ error: 'An email address is required.' }).check(z.maxLength(320, 'The email address is too long.')),
  campaign: z.pipe(z.string({ error: 'A campaign is required.' }), CampaignId),
  date: z.string({ error: 'A date is required, as YYYY-MM-DD.' }).check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'A date as YYYY-MM-DD.')),
  lang: RequestedLanguage,
}));
export type ReminderRequest = z.infer<typeof ReminderRequest>;

export interface ReminderSettings {
  /** The IANA time zone of the site (SITE_TIME_ZONE): what "a date" and "09:00" mean. */
  timeZone: string;
  limits: { reminderClient: RateLimit; reminderAddress: RateLimit };
}

export interface ReminderRequestDeps {
  clock: Clock;
  keys: Keys;
  rateLimiter: RateLimiter;
  reminders: ReminderStore;
  settings: ReminderSettings;
}

const isCalendarDate = (date: string) => {
  const parsed = new Date(`${date}T00:00:00.000Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date;
};

/**
 * A reader asks to be reminded about a campaign on a day. Every valid address takes the same path (two counters,
 * one write), so the answer never tells whether the address is known. The same address, campaign and day make
 * one reminder however often they are asked for. The caller has counted the client's limit (limitReminderClient)
 * before reading the body. Throws ValidationError (`invalid_email`, `invalid_date`) and RateLimitedError (per
 * address).
 */
export const requestReminder = async (deps: ReminderRequestDeps, input: ReminderRequest & { lang?: Language | undefined }) => {
  const email = normalizeEmail(input.email);
  const now = deps.clock.now();
  const today = dateIn(now, deps.settings.timeZone);
  if (!isCalendarDate(input.date) || input.date <= today || input.date > addDays(today, 366)) {
    throw new ValidationError('invalid_date', 'The date must be between tomorrow and a year from today, as YYYY-MM-DD.', { field: 'date' });
  }
  const address = addressKey(deps.keys, email);
  await deps.rateLimiter.hit(deps.settings.limits.reminderAddress, address, now);
  const dueAt = zonedTime(input.date, REMINDER_HOUR, deps.settings.timeZone);
  await deps.reminders.put({
    address,
    email,
    campaign: input.campaign,
    date: input.date,
    dueAt: dueAt.toISOString(),
    ...(input.lang ? { lang: input.lang } : {}),
    createdAt: now.toISOString(),
    expiresAt: Math.floor(dueAt.getTime() / 1000) + (REMINDER_GRACE_DAYS + 1) * 86_400,
  });
};

/** Counts one request from a client against its limit, valid or not; throws RateLimitedError. */
export const limitReminderClient = (deps: ReminderRequestDeps, client: Client) => limitClient(deps, deps.settings.limits.reminderClient, client);

const ReminderTokenPayload = /* @__PURE__ */ onFirstUse(() => z.object({ e: z.string() }));

/** The link that cancels every reminder to an address: it never expires (RFC 8058 links must keep working). */
export const makeReminderToken = (key: Buffer, email: string) => sealToken(key, 'reminders', { e: email });
export const readReminderToken = (key: Buffer, token: string) => openToken(key, 'reminders', token, ReminderTokenPayload).e;

/**
 * The reminders' unsubscribe (RFC 8058 one-click, or the page's button): every reminder still due to the address
 * is deleted. Idempotent: an address with none is a success too. Throws InvalidTokenError for a forged link.
 */
export const cancelReminders = async (deps: { keys: Keys; reminders: ReminderStore }, token: string) => {
  const email = readReminderToken(deps.keys.token, token);
  return deps.reminders.deleteAll(addressKey(deps.keys, email));
};

