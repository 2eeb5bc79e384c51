import type { Brand } from '../shared/brand.js';
import { homeButton, page } from '../shared/page-shell.js';
import { html, join } from '../shared/template.js';
import { speech } from '../shared/words.js';
import { fill } from '../shared/i18n/format.js';
import { amountIn, dateIn, statementPeriod } from '../mail/donor-emails.js';
import type { Statement } from './statements.js';

/** After a reminder was asked for without JavaScript: the same words whatever the address (no enumeration). */
export const reminderScheduledPage = (site: Brand) => {
  const { t, sayHtml } = speech(site);
  const m = t.reminders.scheduled;
  return page(m.title, html`<p class="lead" role="status">${sayHtml(m.lead)}</p>\n${homeButton(site)}`, site);
};

/** The reminders' unsubscribe link, opened: a GET changes nothing (mail scanners follow links), the button posts. */
export const reminderUnsubscribePromptPage = (site: Brand, action: string) => {
  const { t, sayHtml } = speech(site);
  const m = t.reminders.unsubscribePrompt;
  return page(
    m.title,
    html`<p class="lead">${sayHtml(m.lead)}</p>
<form method="post" action="${action}">
<p class="actions"><button type="submit">${t.emails.reminder.unsubscribe}</button></p>
</form>`,
    site,
  );
};

export const remindersCancelledPage = (site: Brand) => {
  const { t, sayHtml } = speech(site);
  const m = t.reminders.cancelled;
  return page(m.title, html`<p class="lead" role="status">${sayHtml(m.lead)}</p>\n${homeButton(site)}`, site);
};

/**
 * A donor's giving statement as a printable page: a table of the year's gifts (date, appeal, amount, refunds), the
 * total per currency, the charity's name and registration. The site's stylesheet prints it plainly; no script.
 */
export const statementPage = (
  site: Brand,
  statement: Statement,
  charity: { name: string; registration: string },
): string => {
  const { lang, t, sayHtml } = speech(site);
  const m = t.statements.page;
  const period = statementPeriod(statement.year, statement.first);
  const values = { period, charity: charity.name, registration: charity.registration };
  const rows = statement.lines.map(
    (line) => html`<tr><td>${dateIn(lang, line.date)}</td><td>${line.campaignTitle}</td><td class="num">${amountIn(lang, line.amount, line.currency)}</td><td class="num">${
      line.refunded > 0 ? amountIn(lang, line.refunded, line.currency) : ''
    }${line.disputed ? html` <span>${m.disputed}</span>` : ''}</td></tr>`,
  );
  const totals = Object.entries(statement.totals).map(
    ([currency, amount]) => html`<tr><th scope="row" colspan="2">${m.total}</th><td class="num">${amountIn(lang, amount, currency)}</td><td></td></tr>`,
  );
  const table = statement.lines.length
    ? html`<table class="statement">
<thead><tr><th scope="col">${t.emails.receipt.date}</th><th scope="col">${m.campaign}</th><th scope="col" class="num">${t.console.people.amount}</th><th scope="col" class="num">${m.refunded}</th></tr></thead>
<tbody>${join(rows, '\n')}</tbody>
<tfoot>${join(totals, '\n')}</tfoot>
</table>`
    : html`<p>${m.none}</p>`;
  return page(
    fill(m.title, values),
    html`<p class="lead">${fill(m.lead, { ...values, first: dateIn(lang, statement.first), last: dateIn(lang, statement.last) })}</p>
${table}
<p>${fill(m.charity, values)}</p>
<p class="no-print">${sayHtml(m.print)}</p>`,
    site,
  );
};
