import type { Brand } from '../shared/brand.js';
import { homeButton, page } from '../shared/page-shell.js';
import { html } from '../shared/template.js';
import { speech } from '../shared/words.js';

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
