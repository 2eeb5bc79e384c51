import type { MailIntent, OutgoingEmail } from '../mail/model.js';
import { inLanguage } from '../shared/i18n/index.js';
import { retryOnConflict } from '../shared/retry.js';
import { makeConfirmToken, newId } from '../shared/secrets.js';
import { MAX_PENDING_REQUESTS, type PendingRequest, type SignupMail, type SignupRequest, type Subscriber } from './model.js';
import { type SignupWorkerDeps, type SubscriptionDeps, unsubscribeUrl } from './subscriptions.js';

// The mail worker's side of a signup: the job the signup API queued, applied to the subscriber and answered with
// a confirmation link or a note. A module of its own so that the signup API, which only queues the job, never
// loads it, nor the emails it sends.

/** The emails' templates, loaded by the mail worker with its first signup email, never by the signup API. */
const emails = () => import('../mail/emails.js');

const links = (deps: Pick<SubscriptionDeps, 'keys' | 'clock' | 'settings'>, email: string, lang: string | undefined) => {
  const base = deps.settings.apiBaseUrl;
  return {
    unsubscribeUrl: unsubscribeUrl(deps, email, lang),
    /** The link for one signup request of the round (see Subscriber.requests). */
    confirmUrl: (round: string, request: string) => {
      const expiresAt = new Date(deps.clock.now().getTime() + deps.settings.confirmTtlSeconds * 1000);
      const token = makeConfirmToken(deps.keys.token, { email, round, request, expiresAt });
      return inLanguage(`${base}/v1/subscriptions/confirm?token=${token}`, lang);
    },
  };
};

/** A signup request as its own link will confirm it, under the id of its job. */
const pendingRequest = (request: SignupRequest, jobId: string): PendingRequest => ({
  id: jobId,
  name: request.name,
  lists: request.lists,
  source: request.source,
  ...(request.lang === undefined ? {} : { lang: request.lang }),
  consent: request.consent,
  ...(request.attribution ? { attribution: request.attribution } : {}),
});

/** Adds (or moves to the end) one request, keeping the last few: abuse cannot grow the item. */
const keepRequest = (kept: PendingRequest[] | undefined, added: PendingRequest): PendingRequest[] =>
  [...(kept ?? []).filter((r) => r.id !== added.id), added].slice(-MAX_PENDING_REQUESTS);

const decideSignup = (
  deps: SignupWorkerDeps,
  existing: Subscriber | undefined,
  request: SignupRequest,
  jobId: string,
): { next: Subscriber; mail: SignupMail } => {
  const now = deps.clock.now();
  const at = now.toISOString();
  const recentlyMailed =
    existing?.lastMailAt !== undefined &&
    now.getTime() - Date.parse(existing.lastMailAt) < deps.settings.mailIntervalSeconds * 1000;
  // `lastMailAt` is not set here but once the mail has gone out (markMailed): a decision whose send then fails
  // must not make a later job, or its own retry, believe the address was mailed.
  const stamp = (next: Subscriber, mail: SignupMail) => ({
    next: { ...next, updatedAt: at, lastJob: { id: jobId, mail } },
    mail,
  });
  if (existing?.status === 'confirmed') return stamp(existing, recentlyMailed ? 'none' : 'already_subscribed');
  if (existing?.status === 'pending') {
    // Each link confirms its own request (kept under the job's id), so a later signup, by the reader or by a
    // stranger, changes nothing an earlier link confirms; earlier links of this round stay valid. A request
    // that gets no link (one went out a few minutes ago) is not kept. The record's own fields follow the latest
    // request: they are what exports and the counts show for a pending address.
    const mail = recentlyMailed ? 'none' : 'confirmation';
    const next = {
      ...existing,
      name: request.name,
      lists: request.lists,
      source: request.source,
      lang: request.lang ?? existing.lang,
      consent: { signup: request.consent },
      attribution: request.attribution,
      ...(mail === 'confirmation' ? { requests: keepRequest(existing.requests, pendingRequest(request, jobId)) } : {}),
    };
    return stamp(next, mail);
  }
  // New, or back after unsubscribing, bouncing or complaining: only a new double opt-in brings it back.
  const fresh: Subscriber = {
    email: request.email,
    name: request.name,
    status: 'pending',
    lists: request.lists,
    source: request.source,
    lang: request.lang ?? existing?.lang,
    round: newId(),
    createdAt: existing?.createdAt ?? at,
    updatedAt: at,
    subscribedAt: at,
    lastMailAt: existing?.lastMailAt,
    consent: { signup: request.consent },
    requests: [pendingRequest(request, jobId)], // a new round: earlier rounds' requests are gone with their links
    version: existing?.version ?? 0,
    ...(request.attribution ? { attribution: request.attribution } : {}),
  };
  return stamp(fresh, 'confirmation');
};

/**
 * Applies a signup job (from the mail queue) and sends what it calls for: a confirmation link, an
 * "already subscribed" note, or nothing when one went out a few minutes ago. Safe to redeliver: a job that
 * was applied before replays its mail without writing again. `send` is the mail worker's one delivery path;
 * it is told which mail this is, because a confirmation the reader has just asked for goes out even to a
 * suppressed address.
 */
export const processSignup = async (
  deps: SignupWorkerDeps & { send: (email: OutgoingEmail, mail: Exclude<SignupMail, 'none'>) => Promise<unknown> },
  job: Extract<MailIntent, { kind: 'signup' }>,
): Promise<SignupMail> => {
  const { request } = job;
  const subscriber = await retryOnConflict(async () => {
    const existing = await deps.subscribers.get(request.email);
    if (existing?.lastJob?.id === job.id) return existing;
    const { next } = decideSignup(deps, existing, request, job.id);
    return deps.subscribers.save(next, existing);
  });
  const mail = subscriber.lastJob?.mail ?? 'none';
  // A confirmation speaks the language its request asked in; a note to a subscriber, the one stored with them.
  const lang = mail === 'confirmation' ? (request.lang ?? subscriber.lang) : (subscriber.lang ?? request.lang);
  const link = links(deps, subscriber.email, lang);
  // No name: these go to an address nobody has confirmed yet for this request (see UnconfirmedMailContext).
  const context = { siteName: deps.settings.siteName, to: subscriber.email, unsubscribeUrl: link.unsubscribeUrl, sender: deps.settings.sender, lang };
  if (mail === 'confirmation') {
    const validDays = Math.round(deps.settings.confirmTtlSeconds / 86400);
    // The link confirms this job's request (kept under the job's id): a redelivered job replays the same link.
    const confirmUrl = link.confirmUrl(subscriber.round, job.id);
    await deps.send((await emails()).confirmationEmail({ ...context, confirmUrl, validDays }), mail);
  } else if (mail === 'already_subscribed') {
    await deps.send((await emails()).alreadySubscribedEmail(context), mail);
  }
  if (mail !== 'none') await markMailed(deps, subscriber.email);
  return mail;
};

/** Starts the mail interval once a confirmation or note has really gone out (see decideSignup). */
const markMailed = (deps: SignupWorkerDeps, email: string) =>
  retryOnConflict(async () => {
    const current = await deps.subscribers.get(email);
    if (!current) return;
    await deps.subscribers.save({ ...current, lastMailAt: deps.clock.now().toISOString() }, current);
  });
