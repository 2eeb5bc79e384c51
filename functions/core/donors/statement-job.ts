import type { Gift } from '../donations/model.js';
import type { MailDeps } from '../mail/mail.js';
import { deliverEmail } from '../mail/mail.js';
import { addressKey } from '../shared/email-address.js';
import { TransientError } from '../shared/errors.js';
import { inLanguage } from '../shared/i18n/index.js';
import { buildStatement, byDonor, createdRange, makeStatementToken, type StatementSettings } from './statements.js';

/** The email's template, loaded with the first statement to send. */
const donorEmails = () => import('../mail/donor-emails.js');

/** The gifts of a tax year, by campaign, read from the donations index (never a scan). */
export interface YearGifts {
  /** Every campaign: its id and title. */
  campaigns(): Promise<{ id: string; title: string }[]>;
  /** A campaign's gifts created between two instants (ISO, both included), from its index partitions. */
  gifts(campaign: string, since: string, until: string): Promise<Gift[]>;
}

export interface StatementJobDeps extends MailDeps {
  yearGifts: YearGifts;
  statementSettings: StatementSettings;
}

export interface StatementRun {
  year: number;
  donors: number;
  sent: number;
  /** Sent by an earlier run (or one at the same time that finished first). */
  duplicate: number;
  /** The address takes no mail (bounced, complained, erased). */
  suppressed: number;
  /** Another run is sending it right now: left to that run (run again to be sure). */
  busy: number;
}

/**
 * Emails every donor with paid gifts in tax year `year` one statement. The donors are found campaign by campaign
 * on the donations index (its `GIFTS#<campaign>` partitions, sorted by createdAt), grouped by address. Each
 * statement is claimed in the sent-mail ledger (`statement:<keyed hash of the address>:<year>`) with a conditional
 * write before it is sent, so a second run, two at once, or a run after a crash sends each statement once, and a
 * donor a crash skipped is sent to by the next run.
 */
export const sendStatements = async (deps: StatementJobDeps, year: number): Promise<StatementRun> => {
  const run: StatementRun = { year, donors: 0, sent: 0, duplicate: 0, suppressed: 0, busy: 0 };
  const { since, until } = createdRange(year, deps.statementSettings.taxYearStart);
  const campaigns = await deps.yearGifts.campaigns();
  const titles = new Map(campaigns.map((c) => [c.id, c.title]));
  const gifts: Gift[] = [];
  for (const campaign of campaigns) gifts.push(...(await deps.yearGifts.gifts(campaign.id, since, until)));
  const { apiBaseUrl, siteName, sender, charityName, charityRegistration } = deps.settings;
  for (const [email, own] of byDonor(gifts)) {
    const statement = buildStatement(own, year, deps.statementSettings, (id) => titles.get(id));
    if (statement.lines.length === 0) continue;
    run.donors += 1;
    // The donor's language: that of their latest gift of the year.
    const lang = [...own].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).findLast((g) => g.lang)?.lang;
    const token = makeStatementToken(deps.keys.token, email, deps.clock.now());
    const statementUrl = inLanguage(`${apiBaseUrl}/v1/donations/statement?token=${token}&year=${year}`, lang);
    const message = (await donorEmails()).statementEmail({ to: email, siteName, sender, lang, statement, charityName, charityRegistration, statementUrl });
    try {
      run[await deliverEmail(deps, message, { dedupeKey: `statement:${addressKey(deps.keys, email)}:${year}` })] += 1;
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
      run.busy += 1;
    }
  }
  return run;
};
