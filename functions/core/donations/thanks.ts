import type { Language } from '../shared/i18n/index.js';
import type { DonationDeps } from './checkout.js';
import { inDonorLanguage, manageLink } from './manage.js';
import type { GiftOutcome } from './pages.js';
import { messagesOf } from '../shared/i18n/catalogue.js';
import { formatAmount } from '../shared/i18n/format.js';
import { isLanguage } from '../shared/i18n/index.js';
import { formatMoney } from '../shared/money.js';

/**
 * A gift's amount as the thank-you page (and the receipt) words it: English with its cents ("$25.00"), other
 * languages in their own notation, exactly ("25 USD" in Ukrainian).
 */
export const giftAmount = (lang: string | undefined, minor: number, currency: string) =>
  isLanguage(lang) && lang !== 'en' ? formatAmount(messagesOf(lang).locale.numbers, minor, currency) : formatMoney(minor, currency);

/**
 * What the page Checkout returns to may say, as Stripe has the session now (the return URL alone proves nothing:
 * anyone can open it): `paid` with the amount and campaign once Stripe says the session is complete and paid,
 * `processing` when it is complete but its payment (a delayed bank debit) is not yet confirmed, `unpaid` with
 * the way back to the chooser while it is open or after it expired, `unknown` for a session Stripe does not know
 * (or a malformed id), `unavailable` when Stripe cannot be asked (an outage is not the donor's problem). The amount
 * is written, and the links lead, in `lang` (the page's language).
 */
export const describeGift = async (
  deps: Pick<DonationDeps, 'payments' | 'campaigns' | 'keys' | 'clock' | 'settings'>,
  sessionId: string | undefined,
  lang?: Language,
): Promise<GiftOutcome> => {
  if (!sessionId || !/^cs_[A-Za-z0-9_]{1,200}$/.test(sessionId)) return { status: 'unknown' };
  const summary = await deps.payments.describeCheckout(sessionId).then(
    (found) => found ?? ('unknown' as const),
    () => 'unavailable' as const,
  );
  if (summary === 'unknown' || summary === 'unavailable') return { status: summary };
  const campaign = summary.campaign ? await deps.campaigns.getSettings(summary.campaign).catch(() => undefined) : undefined;
  if (!summary.complete) {
    const chooseUrl = summary.campaign ? inDonorLanguage(`${deps.settings.apiBaseUrl}/v1/donate?${new URLSearchParams({ campaign: summary.campaign })}`, lang) : undefined;
    return { status: 'unpaid', chooseUrl, campaignTitle: campaign?.title };
  }
  const monthly = summary.frequency === 'monthly';
  const amount = giftAmount(lang, summary.amount, summary.currency);
  // Complete but not paid: a bank debit the bank has yet to confirm (it may still fail), so no gift is claimed.
  if (!summary.paid) return { status: 'processing', amount, monthly, campaignTitle: campaign?.title };
  // A monthly donor can stop or change the gift from here, as from every monthly receipt.
  const manageUrl = monthly && summary.customer ? manageLink(deps, deps.settings.apiBaseUrl, summary.customer, lang) : undefined;
  return { status: 'paid', amount, monthly, campaignTitle: campaign?.title, manageUrl };
};
