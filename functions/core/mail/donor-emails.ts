import { formatMoney } from '../shared/money.js';
import { toOneLine } from '../shared/one-line.js';
import { messagesOf } from '../shared/i18n/catalogue.js';
import { fill, formatAmount, formatDate } from '../shared/i18n/format.js';
import type { Language } from '../shared/i18n/index.js';
import { frame, letter, listHeaders, type MailSender, speech, subjectLine, textFooter } from './emails.js';
import type { OutgoingEmail } from './model.js';

/** What every email of the donor's year is sent with: where, who from, in which language. */
export interface DonorMailContext {
  to: string;
  siteName: string;
  sender?: MailSender | undefined;
  /** The donor's (or the reader's) language; the site's without one. */
  lang?: string | undefined;
}

/** An amount as the reader's language writes it (English as its pages do: "$47.50"). */
export const amountIn = (lang: Language, amount: number, currency: string) =>
  lang === 'en' ? formatMoney(amount, currency) : formatAmount(messagesOf(lang).locale.numbers, amount, currency);

/** A date (`YYYY-MM-DD` or an instant) as the reader's language writes it: "9 December 2026". */
export const dateIn = (lang: Language, date: string) =>
  formatDate(messagesOf(lang).locale.dates, date.length === 10 ? `${date}T12:00:00.000Z` : date, { day: 'numeric', month: 'long', year: 'numeric' });

interface Notice {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string } | undefined;
  /** Why this email came, one sentence. */
  reason: string;
  /** A list-style unsubscribe link (also as RFC 8058 headers); none on an email about the donor's own gift. */
  unsubscribe?: { label: string; url: string } | undefined;
}

/**
 * One short email: a greeting (never by name: nothing anyone typed), its paragraphs, one button, the footer. Text
 * and HTML say the same, in the same order.
 */
export const noticeEmail = (context: DonorMailContext, notice: Notice): OutgoingEmail => {
  const { lang, t } = speech(context.lang ?? context.sender?.language);
  const { siteName, sender } = context;
  const subject = subjectLine(notice.subject);
  const body = letter(t, siteName, sender, t.hello, notice.paragraphs, notice.action);
  const text = [
    ...body.text,
    ...textFooter(siteName, sender, notice.reason),
    ...(notice.unsubscribe ? ['', `${notice.unsubscribe.label}: ${notice.unsubscribe.url}`] : []),
    '',
  ].join('\n');
  return {
    to: context.to,
    subject,
    text,
    html: frame({ lang, t, subject, siteName, sender, content: body.content, reason: notice.reason, unsubscribeUrl: notice.unsubscribe?.url }),
    headers: notice.unsubscribe ? listHeaders(notice.unsubscribe.url) : {},
  };
};

/** A monthly renewal failed and Stripe will retry: the link to change the card. */
export const paymentFailedEmail = (
  context: DonorMailContext & { campaignTitle: string; amount: number; currency: string; manageUrl?: string | undefined },
): OutgoingEmail => {
  const { lang, t } = speech(context.lang ?? context.sender?.language);
  const m = t.paymentFailed;
  const values = { campaign: toOneLine(context.campaignTitle), amount: amountIn(lang, context.amount, context.currency), site: context.siteName };
  return noticeEmail(context, {
    subject: fill(m.subject, values),
    paragraphs: [fill(m.failed, values), context.manageUrl ? m.retry : m.retryNoLink],
    action: context.manageUrl ? { label: m.button, url: context.manageUrl } : undefined,
    reason: fill(m.reason, values),
  });
};

/** Stripe gave up collecting a monthly gift: it has ended; a way to give again. */
export const monthlyEndedEmail = (context: DonorMailContext & { campaignTitle: string; giveAgainUrl: string }): OutgoingEmail => {
  const { t } = speech(context.lang ?? context.sender?.language);
  const m = t.monthlyEnded;
  const values = { campaign: toOneLine(context.campaignTitle), site: context.siteName };
  return noticeEmail(context, {
    subject: fill(m.subject, values),
    paragraphs: [fill(m.ended, values), fill(m.thanks, values)],
    action: { label: m.button, url: context.giveAgainUrl },
    reason: fill(t.paymentFailed.reason, values),
  });
};

/**
 * The reminder a reader asked for: the link back to the appeal, and the link that cancels every other reminder to
 * the address (visible and as RFC 8058 one-click headers). Anyone can ask for a reminder to any address, so it
 * carries nothing the requester typed: no name, only the campaign's own title.
 */
export const reminderEmail = (context: DonorMailContext & { campaignTitle: string; donateUrl: string; unsubscribeUrl: string }): OutgoingEmail => {
  const { t } = speech(context.lang ?? context.sender?.language);
  const m = t.reminder;
  const values = { campaign: toOneLine(context.campaignTitle), site: context.siteName };
  return noticeEmail(context, {
    subject: fill(m.subject, values),
    paragraphs: [fill(m.asked, values), m.give],
    action: { label: fill(m.button, values), url: context.donateUrl },
    reason: fill(m.reason, values),
    unsubscribe: { label: m.unsubscribe, url: context.unsubscribeUrl },
  });
};

/** A giving statement's period as people name it: `2026` for a calendar year, `2026–27` for one from 6 April. */
export const statementPeriod = (year: number, first: string) => (first.endsWith('-01-01') ? String(year) : `${year}–${String(year + 1).slice(2)}`);

/**
 * A donor's statement of the tax year: each gift (date, appeal, amount, refunds, a dispute), the total per currency,
 * the charity's name and registration, and the link to the printable page. Only the donor's own gifts and the
 * campaigns' titles: nothing a requester typed.
 */
export const statementEmail = (
  context: DonorMailContext & {
    statement: {
      year: number;
      first: string;
      last: string;
      lines: readonly { date: string; campaignTitle: string; amount: number; currency: string; refunded: number; disputed: boolean }[];
      totals: Readonly<Record<string, number>>;
    };
    charityName: string;
    charityRegistration: string;
    statementUrl: string;
  },
): OutgoingEmail => {
  const { lang, t } = speech(context.lang ?? context.sender?.language);
  const m = t.statement;
  const { statement } = context;
  const period = statementPeriod(statement.year, statement.first);
  const values = { period, site: context.siteName, charity: toOneLine(context.charityName), registration: toOneLine(context.charityRegistration) };
  const lines = statement.lines.map((line) => {
    const notes = [
      ...(line.refunded > 0 ? [fill(m.refunded, { amount: amountIn(lang, line.refunded, line.currency) })] : []),
      ...(line.disputed ? [m.disputed] : []),
    ];
    const said = fill(m.line, { date: dateIn(lang, line.date), amount: amountIn(lang, line.amount, line.currency), campaign: toOneLine(line.campaignTitle) });
    return notes.length ? `${said} (${notes.join('; ')})` : said;
  });
  const totals = Object.entries(statement.totals).map(([currency, amount]) => amountIn(lang, amount, currency)).join(', ');
  return noticeEmail(context, {
    subject: fill(m.subject, values),
    paragraphs: [
      fill(m.intro, { ...values, first: dateIn(lang, statement.first), last: dateIn(lang, statement.last) }),
      ...lines,
      fill(m.total, { totals }),
      fill(m.charity, values),
    ],
    action: { label: m.button, url: context.statementUrl },
    reason: fill(m.reason, values),
  });
};
