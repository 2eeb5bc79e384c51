import type { Language } from '../shared/i18n/index.js';

/** One reminder: an address, a campaign and a day, sent once at `dueAt` and then deleted. */
export interface Reminder {
  /** The keyed hash of the address: its reminders are found by it (to cancel them all), never by the address. */
  address: string;
  email: string;
  campaign: string;
  /** The day the reader chose, `YYYY-MM-DD` in the site's time zone. */
  date: string;
  /** When it is due: 09:00 on that day in the site's time zone, as an ISO instant. */
  dueAt: string;
  lang?: Language | undefined;
  createdAt: string;
  /** Epoch seconds after which it is of no use (a few days past its day): DynamoDB's time to live. */
  expiresAt: number;
}

/**
 * The reminders, with a due-time index spread over partitions by day: the job asks for a day's reminders due by
 * a time (a Query per partition), never scans.
 */
export interface ReminderStore {
  /** Files a reminder; one for the same address, campaign and day replaces it. */
  put(reminder: Reminder): Promise<void>;
  /** The reminders of a day (`YYYY-MM-DD`) due at or before `at`, oldest first. */
  due(date: string, at: Date): Promise<Reminder[]>;
  /** Deletes one reminder (nothing when it is gone already). */
  delete(reminder: Reminder): Promise<void>;
  /** Deletes every reminder of an address; answers how many there were. */
  deleteAll(address: string): Promise<number>;
}

/** A campaign's title while it takes gifts; undefined for a campaign that is gone or closed. */
export interface CampaignTitles {
  openTitle(campaign: string): Promise<string | undefined>;
}
