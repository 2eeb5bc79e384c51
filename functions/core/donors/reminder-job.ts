import type { MailDeps } from '../mail/mail.js';
import { deliverEmail } from '../mail/mail.js';
import { TransientError } from '../shared/errors.js';
import { inLanguage } from '../shared/i18n/index.js';
import { addDays, dateIn } from './calendar.js';
import type { CampaignTitles, Reminder, ReminderStore } from './ports.js';
import { makeReminderToken, REMINDER_GRACE_DAYS } from './reminders.js';

/** The email's template, loaded with the first reminder due: most runs find none. */
const donorEmails = () => import('../mail/donor-emails.js');

// The reminders job, apart from the request side (reminders.ts) so that the public subscriptions function bundles
// none of the mailer's send path.

export interface ReminderJobDeps extends MailDeps {
  reminders: ReminderStore;
  campaigns: CampaignTitles;
  reminderSettings: { timeZone: string };
}

export interface ReminderRun {
  sent: number;
  /** Sent before (a run that crashed before deleting, or another run at the same time): deleted now. */
  duplicate: number;
  /** The address takes no mail (bounced, complained, erased): deleted unsent. */
  suppressed: number;
  /** Its campaign is gone or closed: deleted unsent. */
  dropped: number;
  /** Another run is sending it right now: left to that run. */
  busy: number;
}

/** The email of one reminder: the link back to the appeal and the link that cancels every reminder to the address. */
const renderReminder = async (deps: ReminderJobDeps, reminder: Reminder, campaignTitle: string) => {
  const { apiBaseUrl, siteName, sender } = deps.settings;
  const donate = inLanguage(`${apiBaseUrl}/v1/donate?campaign=${encodeURIComponent(reminder.campaign)}`, reminder.lang);
  const unsubscribe = inLanguage(`${apiBaseUrl}/v1/reminders/unsubscribe?token=${makeReminderToken(deps.keys.token, reminder.email)}`, reminder.lang);
  return (await donorEmails()).reminderEmail({ to: reminder.email, siteName, sender, lang: reminder.lang, campaignTitle, donateUrl: donate, unsubscribeUrl: unsubscribe });
};

/**
 * Sends every reminder due at `at` (its day has come in the site's time zone and it is 09:00 or later there, at
 * most REMINDER_GRACE_DAYS late), then deletes it. Claim, then send: the sent-mail ledger claims each reminder's
 * email with a conditional write before it is sent (`reminder:<address>:<date>:<campaign>`), so two runs at once,
 * a run repeated, or a run after a crash between the send and the delete send it once; a crash before the claim
 * or the send leaves the reminder for the next run. Found through the due-time index, never a scan.
 */
export const runDueReminders = async (deps: ReminderJobDeps, at: Date): Promise<ReminderRun> => {
  const run: ReminderRun = { sent: 0, duplicate: 0, suppressed: 0, dropped: 0, busy: 0 };
  const titles = new Map<string, string | undefined>();
  const titleOf = async (campaign: string) => {
    if (!titles.has(campaign)) titles.set(campaign, await deps.campaigns.openTitle(campaign));
    return titles.get(campaign);
  };
  const today = dateIn(at, 'UTC');
  // A day in a zone ahead of UTC begins the day before in UTC: the window reaches one day past UTC's today.
  const days = Array.from({ length: REMINDER_GRACE_DAYS + 2 }, (_, i) => addDays(today, 1 - i));
  const floor = new Date(at.getTime() - REMINDER_GRACE_DAYS * 86_400_000).toISOString();
  for (const day of days) {
    for (const reminder of await deps.reminders.due(day, at)) {
      if (reminder.dueAt < floor) continue; // too late to be of use: it expires unsent
      const title = await titleOf(reminder.campaign);
      if (title === undefined) {
        await deps.reminders.delete(reminder);
        run.dropped += 1;
        continue;
      }
      const dedupeKey = `reminder:${reminder.address}:${reminder.date}:${reminder.campaign}`;
      try {
        const outcome = await deliverEmail(deps, await renderReminder(deps, reminder, title), { dedupeKey });
        run[outcome] += 1;
      } catch (error) {
        if (!(error instanceof TransientError)) throw error;
        run.busy += 1;
        continue;
      }
      await deps.reminders.delete(reminder);
    }
  }
  return run;
};
