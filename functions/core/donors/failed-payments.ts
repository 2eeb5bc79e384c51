import type { PaymentEvent } from '../donations/model.js';
import type { GiftDeps } from '../donations/gifts.js';
import { newId } from '../shared/secrets.js';

type FailedPayment = Extract<PaymentEvent, { kind: 'payment-failed' }>;
type EndedGift = Extract<PaymentEvent, { kind: 'subscription' }>;

/** The campaign a monthly gift gives to (the event's metadata, else the gift's record) and its title. */
const campaignOf = async (deps: GiftDeps, campaign: string | undefined, subscription: string | undefined) => {
  const id = campaign ?? (subscription ? await deps.monthly.campaignOf(subscription) : undefined);
  const settings = id ? await deps.campaigns.getSettings(id) : undefined;
  return { id: settings ? id : undefined, title: settings?.title ?? deps.settings.siteName };
};

/** Whether Appeal tells donors of failed payments itself (FAILED_PAYMENT_EMAILS); Stripe's own emails otherwise. */
const tellsDonors = (deps: GiftDeps) => deps.settings.failedPaymentEmails !== false;

/**
 * A monthly renewal failed: the donor is told once per invoice (the mail worker's ledger keys it by the invoice, so a
 * redelivered event queues the same email and it goes out once), with the signed link to change the card. Nothing
 * when Stripe will not retry (its last attempt: the "ended" email follows), or without an address.
 */
export const tellOfFailedPayment = async (deps: GiftDeps, event: FailedPayment): Promise<string> => {
  if (!tellsDonors(deps)) return 'payment failed: left to Stripe';
  if (!event.email || !event.willRetry) return 'payment failed: nothing to send';
  const campaign = await campaignOf(deps, event.campaign, event.subscription);
  await deps.queue.enqueue({
    kind: 'payment-failed',
    id: newId(),
    invoice: event.invoice,
    email: event.email,
    campaignTitle: campaign.title,
    amount: event.amount,
    currency: event.currency,
    ...(event.customer ? { customer: event.customer } : {}),
    ...(event.lang ? { lang: event.lang } : {}),
  });
  return 'payment failed: donor told';
};

/** Stripe ended a monthly gift for non-payment: one "your monthly gift has ended" email, with a way to give again. */
export const tellOfEndedGift = async (deps: GiftDeps, event: EndedGift): Promise<boolean> => {
  if (event.status !== 'ended' || event.endedFor !== 'payment_failed' || !event.email || !tellsDonors(deps)) return false;
  const campaign = await campaignOf(deps, event.campaign, event.subscription);
  await deps.queue.enqueue({
    kind: 'monthly-ended',
    id: newId(),
    subscription: event.subscription,
    email: event.email,
    campaignTitle: campaign.title,
    ...(campaign.id ? { campaign: campaign.id } : {}),
    ...(event.lang ? { lang: event.lang } : {}),
  });
  return true;
};
