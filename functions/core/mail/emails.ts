import { DEFAULT_COLORS } from '../shared/brand.js';
import { palette } from '../shared/palette.js';
import { type Html, html, join, render, type Value } from '../shared/template.js';
import type { OutgoingEmail } from './model.js';
import { formatMoney } from '../shared/money.js';
import { toPersonName } from '../subscriptions/model.js';
import { toOneLine } from '../shared/one-line.js';
import { type Messages, messagesOf } from '../shared/i18n/catalogue.js';
import { fill, formatAmount, formatDate, pluralOf } from '../shared/i18n/format.js';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../shared/i18n/index.js';

/**
 * Who sends our mail and how it looks: the masthead (the site's name and link, its colours and logo) and, at the
 * foot of every email, the sender and its postal address (CAN-SPAM asks for both in every commercial email; we
 * put them in all of ours). From the mailer's configuration.
 */
export interface MailSender {
  /** The organisation that sends the mail, named beside the postal address. */
  name: string;
  /** A valid physical postal address of the sender. */
  postalAddress: string;
  /** The site's home page, linked from the masthead and the footer. */
  siteUrl?: string | undefined;
  logoUrl?: string | undefined;
  /** Masthead and accent colours, `#rrggbb`. */
  color: string;
  accent: string;
  /** The site's language (SITE_LANGUAGE): mail to a reader whose own is not known speaks it. */
  language?: string | undefined;
}

export interface MailContext {
  siteName: string;
  to: string;
  name?: string | undefined;
  /** One-click unsubscribe link: every email to a subscriber carries it, visibly and in the headers. */
  unsubscribeUrl: string;
  /** The masthead and footer; without it (a caller with no mail configuration) the name alone heads the email. */
  sender?: MailSender | undefined;
  /** The reader's language (stored with the subscriber, or asked for with the request); English without one. */
  lang?: string | undefined;
}

/** An email's language and its messages (English for none, or one we do not speak). */
export const speech = (lang: string | undefined): { lang: Language; t: Messages['emails'] } => {
  const language = isLanguage(lang) ? lang : DEFAULT_LANGUAGE;
  return { lang: language, t: messagesOf(language).emails };
};

/** One line, whatever a payment provider holds (see PersonName). */
const greeting = (t: Messages['emails'], raw: string | undefined) => {
  const name = toPersonName(raw);
  return name ? fill(t.helloName, { name }) : t.hello;
};

/** RFC 2369 / RFC 8058 headers that let mail clients offer a one-click unsubscribe. */
export const listHeaders = (unsubscribeUrl: string): Record<string, string> => ({
  'List-Unsubscribe': `<${unsubscribeUrl}>`,
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
});

/** Long words and links break rather than widen the email past a phone's screen. */
const WRAP = 'overflow-wrap:anywhere;word-wrap:break-word;word-break:break-word';
export const MUTED = '#4a5260';

interface Frame {
  lang: Language;
  t: Messages['emails'];
  subject: string;
  siteName: string;
  sender?: MailSender | undefined;
  content: Html;
  /** Why this email came, one sentence (plain text). */
  reason: string;
  unsubscribeUrl?: string | undefined;
}

/**
 * Every email's HTML: the masthead, the content, and the footer with why it came, the sender and postal address,
 * and the unsubscribe link when it has one. One column of at most 600 px that shrinks to the screen (the viewport
 * meta, tables at 100 % wide with a max-width, images never wider than the column), as mail clients render it:
 * inline styles only, presentation tables for the clients that ignore `max-width` on anything else.
 */
export const frame = ({ lang, t, subject, siteName, sender, content, reason, unsubscribeUrl }: Frame): string => {
  const colors = palette({ siteName, color: sender?.color ?? DEFAULT_COLORS.color, accent: sender?.accent ?? DEFAULT_COLORS.accent });
  const home = sender?.siteUrl;
  const logo =
    sender?.logoUrl && html`<img src="${sender.logoUrl}" alt="" height="36" style="display:inline-block;height:36px;width:auto;max-width:100%;border:0;vertical-align:middle;margin-right:10px">`;
  const name = html`${logo}<span style="vertical-align:middle">${siteName}</span>`;
  const mastStyle = html`color:${colors.onColor};text-decoration:none;font:bold 20px/1.25 Georgia,'Times New Roman',serif`;
  const masthead = home ? html`<a href="${home}" style="${mastStyle}">${name}</a>` : html`<span style="${mastStyle}">${name}</span>`;
  const links = [
    home && html`<a href="${home}" style="color:${MUTED}">${siteName}</a>`,
    unsubscribeUrl && html`<a href="${unsubscribeUrl}" style="color:${MUTED}">${t.unsubscribe}</a>`,
  ].filter((link) => link);
  const footer = join(
    [
      html`<p style="margin:0 0 8px">${reason}</p>`,
      sender && html`<p style="margin:0 0 8px">${sender.name} · ${sender.postalAddress}</p>`,
      html`<p style="margin:0">${join(links, ' · ')}</p>`,
    ].filter((line) => line),
    '\n',
  );
  return render(html`<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="x-apple-disable-message-reformatting"><title>${subject}</title></head>
<body style="margin:0;padding:0;background:#eef0f4">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;background:#eef0f4"><tr><td align="center" style="padding:0">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background:#ffffff;font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;${WRAP}">
<tr><td style="background:${colors.color};border-bottom:4px solid ${colors.accent};padding:14px 20px">${masthead}</td></tr>
<tr><td style="padding:20px;font-size:16px;line-height:1.5;color:#1a1a1a;${WRAP}">
${content}
</td></tr>
<tr><td style="padding:16px 20px 20px;border-top:1px solid #d5d9e0;font-size:13px;line-height:1.5;color:${MUTED};${WRAP}">
${footer}
</td></tr>
</table>
</td></tr></table>
</body></html>
`);
};

/** The text part's foot: the site, why the email came, the sender and postal address. */
export const textFooter = (siteName: string, sender: MailSender | undefined, reason: string) => [
  `— ${siteName}${sender?.siteUrl ? ` (${sender.siteUrl})` : ''}`,
  '',
  reason,
  ...(sender ? [`${sender.name}, ${sender.postalAddress}`] : []),
];

export const paragraph = (content: Value) => html`<p style="margin:0 0 16px">${content}</p>`;

/**
 * A Subject is one header line: whatever its parts hold (a campaign title or site name stored before they were
 * checked), a line break in it would end the header or forge another one, so each becomes a space.
 */
export const subjectLine = (subject: string) => toOneLine(subject);

/**
 * An email's body, its text and HTML saying the same in the same order: the greeting, the paragraphs, an optional
 * button with its link to paste (for mail readers that show no buttons), and the signature. The callers add the
 * footer their kind of mail carries.
 */
export const letter = (
  t: ReturnType<typeof speech>['t'],
  siteName: string,
  sender: MailSender | undefined,
  hello: string,
  paragraphs: string[],
  action?: { label: string; url: string },
) => {
  const colors = palette({ siteName, color: sender?.color ?? DEFAULT_COLORS.color, accent: sender?.accent ?? DEFAULT_COLORS.accent });
  return {
    text: [hello, '', ...paragraphs.flatMap((p) => [p, '']), ...(action ? [`${action.label}: ${action.url}`, ''] : [])],
    content: join(
      [
        paragraph(hello),
        ...paragraphs.map(paragraph),
        ...(action
          ? [
              paragraph(
                html`<a href="${action.url}" style="display:inline-block;padding:12px 20px;background:${colors.accent};color:${colors.onAccent};font-weight:bold;text-decoration:none;border-radius:4px">${action.label}</a>`,
              ),
              html`<p style="margin:0 0 16px;font-size:13px;color:${MUTED}">${t.pasteLink} <a href="${action.url}" style="color:${MUTED};word-break:break-all">${action.url}</a></p>`,
            ]
          : []),
        html`<p style="margin:0">— ${siteName}</p>`,
      ],
      '\n',
    ),
  };
};

const build = (
  context: MailContext,
  rawSubject: string,
  paragraphs: string[],
  reason: string,
  action?: { label: string; url: string },
): OutgoingEmail => {
  const { siteName, unsubscribeUrl, sender } = context;
  const { lang, t } = speech(context.lang ?? context.sender?.language);
  const subject = subjectLine(rawSubject);
  const body = letter(t, siteName, sender, greeting(t, context.name), paragraphs, action);
  const text = [...body.text, ...textFooter(siteName, sender, reason), '', `${t.unsubscribe}: ${unsubscribeUrl}`, ''].join('\n');
  return {
    to: context.to,
    subject,
    text,
    html: frame({ lang, t, subject, siteName, sender, content: body.content, reason, unsubscribeUrl }),
    headers: listHeaders(unsubscribeUrl),
  };
};

/**
 * What a mail to an address not yet confirmed may carry: nothing the requester typed. Anyone can sign up any
 * address, so a name (or any other field) echoed here would let the form relay a stranger's message
 * ("Hello … visit http://evil.example/login") from the paper's domain.
 */
export type UnconfirmedMailContext = Omit<MailContext, 'name'>;

/** Drops a name that a caller's wider object still carries (TypeScript lets extra fields through). */
const withoutRequesterText = ({ siteName, to, unsubscribeUrl, sender, lang }: UnconfirmedMailContext): MailContext => ({
  siteName,
  to,
  unsubscribeUrl,
  sender,
  lang,
});

export const confirmationEmail = (context: UnconfirmedMailContext & { confirmUrl: string; validDays: number }) => {
  const { lang, t } = speech(context.lang ?? context.sender?.language);
  const m = t.confirmation;
  const site = { site: context.siteName };
  return build(
    withoutRequesterText(context),
    fill(m.subject, site),
    [fill(m.asked, site), fill(pluralOf(lang, context.validDays, m.within), { n: context.validDays })],
    fill(m.reason, site),
    { label: m.button, url: context.confirmUrl },
  );
};

export const welcomeEmail = (context: MailContext) => {
  const { t } = speech(context.lang ?? context.sender?.language);
  const m = t.welcome;
  const site = { site: context.siteName };
  return build(context, fill(m.subject, site), [fill(m.confirmed, site), m.leave], fill(t.subscribedReason, site));
};

/** Sent before this request is confirmed, so it is an unconfirmed mail too: no name, even a stored one. */
export const alreadySubscribedEmail = (context: UnconfirmedMailContext) => {
  const { t } = speech(context.lang ?? context.sender?.language);
  const m = t.alreadySubscribed;
  const site = { site: context.siteName };
  return build(withoutRequesterText(context), fill(m.subject, site), [fill(m.asked, site)], fill(t.subscribedReason, site));
};

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
  /** A monthly gift's signed link to the donor's Stripe Customer Portal (cancel, change the card). */
  manageUrl?: string | undefined;
  /** The gift carries a Gift Aid declaration: the receipt says so, with this link to cancel it. */
  giftAidUrl?: string | undefined;
  /** The masthead and footer, as on every email. */
  sender?: MailSender | undefined;
  /** The donor's language, as chosen when they gave; English without one. */
  lang?: string | undefined;
  /** The part of `amount` (what was charged) that is the fee the donor covered. */
  feeCovered?: number | undefined;
  /** In honour or in memory of someone. */
  tribute?: { type: 'honour' | 'memory'; name: string } | undefined;
}

/** The thank-you receipt for one counted payment (each month of a monthly gift gets its own). */
export const receiptEmail = (context: ReceiptContext): OutgoingEmail => {
  const { lang, t } = speech(context.lang ?? context.sender?.language);
  const m = t.receipt;
  const dates = messagesOf(lang).locale.dates;
  // English writes amounts and dates as its pages do ("$47.50", "9 December 2016"); other languages as Intl does.
  const money = (minor: number) => (lang === 'en' ? formatMoney(minor, context.currency) : formatAmount(messagesOf(lang).locale.numbers, minor, context.currency));
  const amount = money(context.amount);
  // A covered fee: the gift, the fee and what was charged, each on its own line (the thanks name what was charged).
  const fee = context.feeCovered && context.feeCovered > 0 && context.feeCovered < context.amount ? context.feeCovered : undefined;
  const date = formatDate(dates, context.paidAt, { day: 'numeric', month: 'long', year: 'numeric' });
  const hello = greeting(t, context.name);
  // One line wherever it appears, as the campaign schema keeps it (a Subject must never carry a line break).
  const campaign = toOneLine(context.campaignTitle);
  const values = { amount, campaign, site: context.siteName };
  const perMonth = (text: string) => (context.monthly ? fill(m.monthly, { ...values, amount: text }) : text);
  const amountLines: [string, string][] =
    fee === undefined
      ? [[m.amount, perMonth(amount)]]
      : [
          [m.gift, perMonth(money(context.amount - fee))],
          [m.feeCovered, money(fee)],
          [m.total, perMonth(amount)],
        ];
  // The tribute as the donor wrote it, on one line.
  const tribute = context.tribute && toOneLine(context.tribute.name);
  const lines: [string, string][] = [
    ...amountLines,
    ...(context.tribute && tribute ? [[m.tribute, fill(m[context.tribute.type], { name: tribute })] as [string, string]] : []),
    [m.date, date],
    [m.campaign, campaign],
    [m.receivedBy, fill(m.charity, { charity: context.charityName, registration: context.charityRegistration })],
    [m.reference, context.reference],
  ];
  const subject = subjectLine(fill(m.subject, values));
  const thanks = fill(context.monthly ? m.thanksMonthly : m.thanks, values);
  const reason = fill(m.reason, values);
  const manage = [
    ...(context.manageUrl ? [fill(m.manageText, { url: context.manageUrl }), ''] : []),
    ...(context.giftAidUrl ? [fill(m.giftAidText, { charity: context.charityName, url: context.giftAidUrl }), ''] : []),
  ];
  const text = [
    hello,
    '',
    thanks,
    '',
    ...lines.map(([k, v]) => `${k}: ${v}`),
    '',
    ...manage,
    `— ${context.charityName}`,
    '',
    ...textFooter(context.siteName, context.sender, reason).slice(2),
    '',
  ].join('\n');
  const rows = lines.map(
    ([k, v]) => html`<tr><th scope="row" style="text-align:left;vertical-align:top;padding:2px 12px 2px 0;white-space:nowrap">${k}</th><td style="padding:2px 0;${WRAP}">${v}</td></tr>`,
  );
  const content = join(
    [
      paragraph(hello),
      paragraph(thanks),
      html`<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse;margin:0 0 16px;width:100%">
${join(rows, '\n')}
</table>`,
      ...(context.manageUrl ? [paragraph(html`<a href="${context.manageUrl}">${m.manageLink}</a>${m.manageRest}`)] : []),
      ...(context.giftAidUrl ? [paragraph(html`${fill(m.giftAid, { charity: context.charityName })} <a href="${context.giftAidUrl}">${messagesOf(lang).donations.giftAid.cancelTitle}</a>`)] : []),
      html`<p style="margin:0">— ${context.charityName}</p>`,
    ],
    '\n',
  );
  return { to: context.to, subject, text, html: frame({ lang, t, subject, siteName: context.siteName, sender: context.sender, content, reason }), headers: {} };
};

export interface ConsoleSignInContext {
  siteName: string;
  to: string;
  signInUrl: string;
  validMinutes: number;
  sender?: MailSender | undefined;
  lang?: string | undefined;
}

/**
 * The console's sign-in link. Not list mail: no unsubscribe link, and nothing the requester typed but the address
 * it goes to (anyone can ask for a link for any address; only an editor's gets one).
 */
export const consoleSignInEmail = (context: ConsoleSignInContext): OutgoingEmail => {
  const { lang, t } = speech(context.lang ?? context.sender?.language);
  const m = t.consoleSignIn;
  const site = { site: context.siteName };
  const subject = subjectLine(fill(m.subject, site));
  const paragraphs = [fill(m.asked, site), fill(pluralOf(lang, context.validMinutes, m.within), { n: context.validMinutes }), m.ignore];
  const reason = fill(m.reason, site);
  const body = letter(t, context.siteName, context.sender, t.hello, paragraphs, { label: m.button, url: context.signInUrl });
  const text = [...body.text, ...textFooter(context.siteName, context.sender, reason), ''].join('\n');
  return { to: context.to, subject, text, html: frame({ lang, t, subject, siteName: context.siteName, sender: context.sender, content: body.content, reason }), headers: {} };
};
