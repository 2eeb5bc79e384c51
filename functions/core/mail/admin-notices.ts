import { DEFAULT_COLORS } from '../shared/brand.js';
import { addressKey } from '../shared/email-address.js';
import { messagesOf } from '../shared/i18n/catalogue.js';
import { fill, formatDate } from '../shared/i18n/format.js';
import { palette } from '../shared/palette.js';
import { html, join } from '../shared/template.js';
import { frame, type MailSender, MUTED, paragraph, speech, subjectLine, textFooter } from './emails.js';
import { type Delivery, deliverEmail, type MailDeps } from './mail.js';
import type { MailIntent, OutgoingEmail } from './model.js';

/** Where the email sends the admin: the console's webhooks page, where the endpoint is enabled again and replayed. */
export const WEBHOOKS_PAGE = '/admin/webhooks';

export interface EndpointDisabledContext {
  siteName: string;
  to: string;
  /** The endpoint URL's host and the endpoint's id, as the email names it. */
  endpoint: string;
  disabledAt: string;
  pageUrl: string;
  sender?: MailSender | undefined;
  lang?: string | undefined;
}

/** The notice to an admin that an endpoint was disabled after three days of failures. Not list mail: no unsubscribe. */
export const endpointDisabledEmail = (context: EndpointDisabledContext): OutgoingEmail => {
  const { lang, t } = speech(context.lang ?? context.sender?.language);
  const m = t.webhookDisabled;
  const site = { site: context.siteName };
  const date = formatDate(messagesOf(lang).locale.dates, context.disabledAt, { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
  const subject = subjectLine(fill(m.subject, site));
  const paragraphs = [fill(m.failed, { url: context.endpoint, date }), m.next];
  const reason = fill(m.reason, site);
  const colors = palette({ siteName: context.siteName, color: context.sender?.color ?? DEFAULT_COLORS.color, accent: context.sender?.accent ?? DEFAULT_COLORS.accent });
  const text = [t.hello, '', ...paragraphs.flatMap((p) => [p, '']), `${m.button}: ${context.pageUrl}`, '', ...textFooter(context.siteName, context.sender, reason), ''].join('\n');
  const content = join(
    [
      paragraph(t.hello),
      ...paragraphs.map(paragraph),
      paragraph(
        html`<a href="${context.pageUrl}" style="display:inline-block;padding:12px 20px;background:${colors.accent};color:${colors.onAccent};font-weight:bold;text-decoration:none;border-radius:4px">${m.button}</a>`,
      ),
      html`<p style="margin:0 0 16px;font-size:13px;color:${MUTED}">${t.pasteLink} <a href="${context.pageUrl}" style="color:${MUTED};word-break:break-all">${context.pageUrl}</a></p>`,
      html`<p style="margin:0">— ${context.siteName}</p>`,
    ],
    '\n',
  );
  return { to: context.to, subject, text, html: frame({ lang, t, subject, siteName: context.siteName, sender: context.sender, content, reason }), headers: {} };
};

/**
 * Emails every admin of the console that an endpoint was disabled: each in their own language when they set one,
 * else the site's, with a link to the webhooks page. At most once per admin and disabling: each email has its own
 * key in the sent-mail ledger (`webhook-disabled:<endpoint>:<disabledAt>:<address hash>`), so a job delivered again
 * (or retried after a failed send) sends only what did not go out. Answers `sent` when any went out.
 */
export const notifyEndpointDisabled = async (deps: MailDeps, job: Extract<MailIntent, { kind: 'webhook-disabled' }>): Promise<Delivery> => {
  const admins = (await deps.editors.list()).filter((editor) => editor.role === 'admin');
  let outcome: Delivery = 'skipped';
  for (const admin of admins) {
    const email = endpointDisabledEmail({
      siteName: deps.settings.siteName,
      sender: deps.settings.sender,
      to: admin.email,
      lang: admin.lang,
      endpoint: `${job.host} (${job.webhookId})`,
      disabledAt: job.disabledAt,
      pageUrl: `${deps.settings.apiBaseUrl}${WEBHOOKS_PAGE}`,
    });
    const dedupeKey = `webhook-disabled:${job.webhookId}:${job.disabledAt}:${addressKey(deps.keys, admin.email)}`;
    // Mail the editor asked for by their role, as their sign-in link: a suppression marker does not hold it back.
    const sent = await deliverEmail(deps, email, { dedupeKey, askedForByReader: true });
    if (sent === 'sent' || outcome === 'skipped') outcome = sent;
  }
  return outcome;
};
