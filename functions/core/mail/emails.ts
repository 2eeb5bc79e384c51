import { escapeHtml } from '../shared/html.js';
import type { OutgoingEmail } from './model.js';
import { formatMoney } from '../shared/money.js';
import { toPersonName } from '../subscriptions/model.js';

export interface MailContext {
  siteName: string;
  to: string;
  name?: string | undefined;
  /** One-click unsubscribe link: every email to a subscriber carries it, visibly and in the headers. */
  unsubscribeUrl: string;
}

/** One line, whatever an older record or a payment provider holds (see PersonName). */
const greeting = (raw: string | undefined) => {
  const name = toPersonName(raw);
  return name ? `Hello ${name},` : 'Hello,';
};

/** RFC 2369 / RFC 8058 headers that let mail clients offer a one-click unsubscribe. */
export const listHeaders = (unsubscribeUrl: string): Record<string, string> => ({
  'List-Unsubscribe': `<${unsubscribeUrl}>`,
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
});

const build = (
  context: MailContext,
  subject: string,
  paragraphs: string[],
  action?: { label: string; url: string },
): OutgoingEmail => {
  const { siteName, unsubscribeUrl } = context;
  const hello = greeting(context.name);
  const text = [
    hello,
    '',
    ...paragraphs.flatMap((p) => [p, '']),
    ...(action ? [`${action.label}: ${action.url}`, ''] : []),
    `— ${siteName}`,
    '',
    `Unsubscribe: ${unsubscribeUrl}`,
    '',
  ].join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a">
<p>${escapeHtml(hello)}</p>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${action ? `<p><a href="${escapeHtml(action.url)}" style="display:inline-block;padding:10px 16px;background:#0b5cad;color:#fff;text-decoration:none;border-radius:4px">${escapeHtml(action.label)}</a></p>\n<p style="font-size:13px;color:#555">Or paste this link into your browser: ${escapeHtml(action.url)}</p>` : ''}
<p>— ${escapeHtml(siteName)}</p>
<hr>
<p style="font-size:13px;color:#555"><a href="${escapeHtml(unsubscribeUrl)}">Unsubscribe</a></p>
</body></html>
`;
  return { to: context.to, subject, text, html, headers: listHeaders(unsubscribeUrl) };
};

/**
 * What a mail to an address not yet confirmed may carry: nothing the requester typed. Anyone can sign up any
 * address, so a name (or any other field) echoed here would let the form relay a stranger's message
 * ("Hello … visit http://evil.example/login") from the paper's domain.
 */
export type UnconfirmedMailContext = Omit<MailContext, 'name'>;

/** Drops a name that a caller's wider object still carries (TypeScript lets extra fields through). */
const withoutRequesterText = ({ siteName, to, unsubscribeUrl }: UnconfirmedMailContext): MailContext => ({
  siteName,
  to,
  unsubscribeUrl,
});

export const confirmationEmail = (context: UnconfirmedMailContext & { confirmUrl: string; validDays: number }) =>
  build(
    withoutRequesterText(context),
    `Please confirm your subscription to ${context.siteName}`,
    [
      `Someone, hopefully you, asked to join the ${context.siteName} mailing list with this address.`,
      `Please confirm within ${context.validDays} days by following the link below. If it was not you, ignore this email and you will not hear from us again.`,
    ],
    { label: 'Confirm my subscription', url: context.confirmUrl },
  );

export const welcomeEmail = (context: MailContext) =>
  build(context, `Welcome to ${context.siteName}`, [
    `Your subscription is confirmed. Thank you for joining the ${context.siteName} mailing list.`,
    'You can leave at any time with the link at the bottom of every email we send.',
  ]);

/** Sent before this request is confirmed, so it is an unconfirmed mail too: no name, even a stored one. */
export const alreadySubscribedEmail = (context: UnconfirmedMailContext) =>
  build(withoutRequesterText(context), `You are already subscribed to ${context.siteName}`, [
    `Someone asked to join the ${context.siteName} mailing list with this address, which is already subscribed. There is nothing you need to do.`,
  ]);

export interface ReceiptContext {
  to: string;
  name?: string | undefined;
  siteName: string;
  charityName: string;
  charityRegistration: string;
  campaignTitle: string;
  amount: number;
  currency: string;
  monthly: boolean;
  paidAt: string;
  reference: string;
}

/** The thank-you receipt for one counted payment (each month of a monthly gift gets its own). */
export const receiptEmail = (context: ReceiptContext): OutgoingEmail => {
  const amount = formatMoney(context.amount, context.currency);
  const date = new Date(context.paidAt).toLocaleDateString('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const hello = greeting(context.name);
  const lines: [string, string][] = [
    ['Amount', amount + (context.monthly ? ' (monthly gift)' : '')],
    ['Date', date],
    ['Campaign', context.campaignTitle],
    ['Received by', `${context.charityName}, registered charity ${context.charityRegistration}`],
    ['Reference', context.reference],
  ];
  const subject = `Thank you for your gift to ${context.campaignTitle}`;
  const thanks = `Thank you for your ${context.monthly ? 'monthly ' : ''}donation of ${amount} to ${context.campaignTitle}. Please keep this email as your receipt.`;
  const text = [hello, '', thanks, '', ...lines.map(([k, v]) => `${k}: ${v}`), '', `— ${context.charityName}`, ''].join('\n');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#1a1a1a">
<p>${escapeHtml(hello)}</p>
<p>${escapeHtml(thanks)}</p>
<table role="presentation" style="border-collapse:collapse">
${lines.map(([k, v]) => `<tr><th scope="row" style="text-align:left;padding:2px 12px 2px 0">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('\n')}
</table>
<p>— ${escapeHtml(context.charityName)}</p>
</body></html>
`;
  return { to: context.to, subject, text, html, headers: {} };
};
