import { TransientError } from '../shared/errors.js';
import type { MailIntent, OutgoingEmail, ReceiptGift } from './model.js';
import type { Clock } from '../shared/ports.js';
import type { MailLedger, Mailer } from './ports.js';
import type { SubscriberRepository } from '../subscriptions/ports.js';
import type { Keys } from '../shared/secrets.js';
import { addressKey } from '../shared/email-address.js';
import type { Editors } from '../console/ports.js';
import { SIGNIN_LINK_SECONDS, signInLink } from '../console/signin.js';
import { inLanguage } from '../shared/i18n/index.js';
import { manageLink } from '../donations/manage.js';
import { giftAidLink } from '../donations/gift-aid-cancel.js';
import { type SignupWorkerDeps, type SubscriptionSettings, unsubscribeUrl } from '../subscriptions/subscriptions.js';
import { processSignup } from '../subscriptions/signup-job.js';

// The emails' templates, loaded with the first email of each kind: a cold start that sends none loads none.
const emails = () => import('./emails.js');
const donorEmails = () => import('./donor-emails.js');
const adminNotices = () => import('./admin-notices.js');

/** What the mail worker renders with: the mailing-list settings (site name, API base URL for links) and the charity. */
export interface MailSettings extends SubscriptionSettings {
  /** Named on every receipt as the recipient of the gift. */
  charityName: string;
  charityRegistration: string;
}

export interface MailDeps extends SignupWorkerDeps {
  mailer: Mailer;
  ledger: MailLedger;
  clock: Clock;
  subscribers: SubscriberRepository;
  settings: MailSettings;
  /** The console's editors: a sign-in link goes only to one of them; a notice for the admins goes to each admin. */
  editors: Pick<Editors, 'get' | 'list'>;
}

/** How long a claimed-but-unconfirmed send blocks another attempt (longer than one SES call with retries). */
const SEND_LEASE_SECONDS = 120;

/**
 * Bounced, complaining and erased addresses get no mailing-list email, whatever asked for it, until they sign up
 * and confirm afresh (confirming removes the marker). Two kinds of email go out regardless of an erasure: the
 * confirmation of a new signup, which the reader has just asked for (see processMailJob), and the receipt of a
 * gift, which the person made after the erasure (an erasure takes them off the list; it does not refuse them a
 * receipt). A bounced or complaining address gets neither: the mailbox refuses mail, or its owner called it spam.
 */
const isSuppressed = async (deps: MailDeps, to: string, mail: { isReceipt: boolean }): Promise<boolean> => {
  const [subscriber, marker] = await Promise.all([deps.subscribers.get(to), deps.suppressions.get(addressKey(deps.keys, to))]);
  if (subscriber?.status === 'bounced' || subscriber?.status === 'complained') return true;
  if (marker === undefined || subscriber?.status === 'confirmed') return false;
  return !(marker.reason === 'erased' && mail.isReceipt);
};

export type Delivery = 'sent' | 'duplicate' | 'suppressed' | 'skipped';

export interface DeliveryOptions {
  /** At most once per key: the sent-mail ledger remembers it (`receipt:<payment intent>`, `welcome:<hash>:<round>`). */
  dedupeKey?: string | undefined;
  /** The reader has just asked for this very email (a signup's confirmation link): suppression does not apply. */
  askedForByReader?: boolean;
  /** The receipt of a gift: it goes to an erased address too, never to a bounced or complaining one. */
  isReceipt?: boolean;
}

/**
 * The one path every email leaves by. Sends unless the address is suppressed (see isSuppressed). With a dedupe
 * key it goes out at most once: the ledger is claimed before the send and marked after it, so only a crash
 * between SES accepting the mail and the mark can repeat it (SES has no idempotency key; one repeat beats a lost
 * receipt).
 * Throws TransientError to retry.
 */
export const deliverEmail = async (deps: MailDeps, email: OutgoingEmail, options: DeliveryOptions = {}): Promise<Exclude<Delivery, 'skipped'>> => {
  if (!options.askedForByReader && (await isSuppressed(deps, email.to, { isReceipt: options.isReceipt === true }))) return 'suppressed';
  const { dedupeKey } = options;
  if (dedupeKey === undefined) {
    await deps.mailer.send(email);
    return 'sent';
  }
  const claim = await deps.ledger.claim(dedupeKey, deps.clock.now(), SEND_LEASE_SECONDS);
  if (claim === 'sent') return 'duplicate';
  if (claim === 'busy') throw new TransientError('another delivery of this email is in progress');
  await deps.mailer.send(email);
  await deps.ledger.markSent(dedupeKey, deps.clock.now());
  return 'sent';
};

const renderReceipt = async (deps: MailDeps, gift: ReceiptGift): Promise<OutgoingEmail> => {
  const { settings } = deps;
  return (await emails()).receiptEmail({
    to: gift.email,
    name: gift.name,
    siteName: settings.siteName,
    sender: settings.sender,
    charityName: settings.charityName,
    charityRegistration: settings.charityRegistration,
    campaignTitle: gift.campaignTitle,
    amount: gift.amount,
    currency: gift.currency,
    monthly: gift.monthly,
    paidAt: gift.paidAt,
    reference: gift.reference,
    lang: gift.lang,
    feeCovered: gift.feeCovered,
    tribute: gift.tribute,
    // Signed when the receipt is rendered: each month's receipt carries a fresh link to stop or change the gift.
    manageUrl: gift.monthly && gift.customer ? manageLink(deps, settings.apiBaseUrl, gift.customer, gift.lang) : undefined,
    // The donor may cancel their Gift Aid declaration at any time: the link is sealed for their address.
    giftAidUrl: gift.giftAid ? giftAidLink(deps.keys, settings.apiBaseUrl, gift.email, gift.lang) : undefined,
  });
};

/**
 * The sent-mail ledger key of a job's email: one receipt per payment, one welcome per address and opt-in round.
 * Undefined for a signup job, whose mail is decided (and replayed) by the subscriber write itself.
 */
export const dedupeKeyOf = (keys: Pick<Keys, 'email'>, job: MailIntent): string | undefined => {
  switch (job.kind) {
    case 'signup':
      return undefined;
    case 'welcome':
      return `welcome:${addressKey(keys, job.email)}:${job.round}`;
    case 'receipt':
      return `receipt:${job.gift.reference}`;
    case 'console-signin':
      return `console-signin:${job.id}`;
    case 'payment-failed':
      return `payment-failed:${job.invoice}`;
    case 'monthly-ended':
      return `monthly-ended:${job.subscription}`;
    // One email per admin: each has its own key (admin-notices.ts).
    case 'webhook-disabled':
      return undefined;
  }
};

/** Renders and sends one mail-queue job. Throws to have the queue deliver it again later. */
export const processMailJob = async (deps: MailDeps, job: MailIntent): Promise<string> => {
  const dedupeKey = dedupeKeyOf(deps.keys, job);
  switch (job.kind) {
    case 'signup':
      return processSignup(
        { ...deps, send: (email, mail) => deliverEmail(deps, email, { askedForByReader: mail === 'confirmation' }) },
        job,
      );
    case 'welcome': {
      const email = (await emails()).welcomeEmail({
        siteName: deps.settings.siteName,
        sender: deps.settings.sender,
        to: job.email,
        name: job.name,
        unsubscribeUrl: unsubscribeUrl(deps, job.email, job.lang),
        lang: job.lang,
      });
      return deliverEmail(deps, email, { dedupeKey });
    }
    case 'receipt':
      return deliverEmail(deps, await renderReceipt(deps, job.gift), { dedupeKey, isReceipt: true });
    case 'console-signin': {
      // Only an editor gets a link; for any other address the request ends here, unanswered, as it began.
      const editor = await deps.editors.get(job.email);
      if (!editor) return 'skipped';
      const lang = editor.lang ?? job.lang;
      const email = (await emails()).consoleSignInEmail({
        siteName: deps.settings.siteName,
        sender: deps.settings.sender,
        to: editor.email,
        lang,
        signInUrl: signInLink(deps.keys, deps.settings.apiBaseUrl, editor.email, deps.clock.now(), lang),
        validMinutes: SIGNIN_LINK_SECONDS / 60,
      });
      // The editor has just asked for it: a suppression marker (an erased reader's address) does not hold it back.
      return deliverEmail(deps, email, { dedupeKey, askedForByReader: true });
    }
    // About the donor's own gift, like a receipt: to an erased address too, never to a bounced or complaining one.
    case 'payment-failed': {
      const { settings } = deps;
      const email = (await donorEmails()).paymentFailedEmail({
        to: job.email,
        siteName: settings.siteName,
        sender: settings.sender,
        lang: job.lang,
        campaignTitle: job.campaignTitle,
        amount: job.amount,
        currency: job.currency,
        manageUrl: job.customer ? manageLink(deps, settings.apiBaseUrl, job.customer, job.lang) : undefined,
      });
      return deliverEmail(deps, email, { dedupeKey, isReceipt: true });
    }
    case 'monthly-ended': {
      const { settings } = deps;
      const page = job.campaign ? `${settings.apiBaseUrl}/v1/donate?campaign=${encodeURIComponent(job.campaign)}&frequency=monthly` : settings.sender?.siteUrl ?? settings.apiBaseUrl;
      const email = (await donorEmails()).monthlyEndedEmail({
        to: job.email,
        siteName: settings.siteName,
        sender: settings.sender,
        lang: job.lang,
        campaignTitle: job.campaignTitle,
        giveAgainUrl: job.campaign ? inLanguage(page, job.lang) : page,
      });
      return deliverEmail(deps, email, { dedupeKey, isReceipt: true });
    }
    case 'webhook-disabled':
      return (await adminNotices()).notifyEndpointDisabled(deps, job);
  }
};
