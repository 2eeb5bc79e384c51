import { describe, expect, it } from 'vitest';
import type { CampaignTitles, Reminder, ReminderStore } from '../../../../functions/core/donors/ports.js';
import { cancelReminders, type ReminderRequestDeps, requestReminder } from '../../../../functions/core/donors/reminders.js';
import { type ReminderJobDeps, runDueReminders } from '../../../../functions/core/donors/reminder-job.js';
import { zonedTime } from '../../../../functions/core/donors/calendar.js';
import { RateLimitedError, ValidationError } from '../../../../functions/core/shared/errors.js';
import { makeSubscriptionDeps } from '../../../support/fakes.js';

/** Reminders in memory, with the adapter's contract: one per address, campaign and day; due by day and time. */
class MemoryReminders implements ReminderStore {
  readonly items = new Map<string, Reminder>();
  /** Set to make the next delete fail, as a job that crashes after sending. */
  crashOnDelete = false;
  private key = (r: Pick<Reminder, 'address' | 'date' | 'campaign'>) => `${r.address}|${r.date}|${r.campaign}`;
  async put(reminder: Reminder) {
    this.items.set(this.key(reminder), structuredClone(reminder));
  }
  async due(date: string, at: Date) {
    return [...this.items.values()].filter((r) => r.date === date && r.dueAt <= at.toISOString()).map((r) => structuredClone(r));
  }
  async delete(reminder: Reminder) {
    if (this.crashOnDelete) {
      this.crashOnDelete = false;
      throw new Error('crashed');
    }
    this.items.delete(this.key(reminder));
  }
  async deleteAll(address: string) {
    const mine = [...this.items.entries()].filter(([, r]) => r.address === address);
    for (const [key] of mine) this.items.delete(key);
    return mine.length;
  }
}

const setup = (timeZone = 'Europe/London') => {
  const mail = makeSubscriptionDeps();
  mail.clock.current = new Date('2026-11-25T10:00:00.000Z');
  const reminders = new MemoryReminders();
  const open = new Map([['ukraine', 'Support Ukraine']]);
  const campaigns: CampaignTitles = { openTitle: async (id) => open.get(id) };
  const settings = {
    timeZone,
    limits: { reminderClient: { name: 'reminder-client', limit: 30, windowSeconds: 60 }, reminderAddress: { name: 'reminder-address', limit: 5, windowSeconds: 86_400 } },
  };
  const request: ReminderRequestDeps = { clock: mail.clock, keys: mail.deps.keys, rateLimiter: mail.rateLimiter, reminders, settings };
  const job: ReminderJobDeps = { ...mail.mailDeps, reminders, campaigns, reminderSettings: { timeZone } };
  return { ...mail, reminders, open, request, job };
};

const ask = (t: ReturnType<typeof setup>, change: Partial<Parameters<typeof requestReminder>[1]> = {}) =>
  requestReminder(t.request, { email: 'Reader@Example.org', campaign: 'ukraine', date: '2026-12-01', ...change });

describe('asking for a reminder', () => {
  it('keeps one reminder per address, campaign and day, due at 09:00 in the site\'s time zone', async () => {
    const t = setup('America/New_York');
    await ask(t);
    await ask(t, { lang: 'uk' });
    expect([...t.reminders.items.values()]).toEqual([
      expect.objectContaining({ email: 'reader@example.org', campaign: 'ukraine', date: '2026-12-01', dueAt: '2026-12-01T14:00:00.000Z', lang: 'uk' }),
    ]);
  });

  it.each([
    ['today', '2026-11-25'],
    ['yesterday', '2026-11-24'],
    ['more than a year ahead', '2027-11-27'],
    ['a day that does not exist', '2026-02-30'],
  ])('refuses a date %s with invalid_date', async (_name, date) => {
    const t = setup();
    await expect(ask(t, { date })).rejects.toMatchObject({ code: 'invalid_date', field: 'date' });
    expect(t.reminders.items.size).toBe(0);
  });

  it('takes tomorrow and a year from today', async () => {
    const t = setup();
    await ask(t, { date: '2026-11-26' });
    await ask(t, { date: '2027-11-25' });
    expect(t.reminders.items.size).toBe(2);
  });

  it('refuses an address it could not mail', async () => {
    const t = setup();
    await expect(ask(t, { email: 'not an address' })).rejects.toBeInstanceOf(ValidationError);
  });

  it('limits the reminders asked for one address a day, however it is written', async () => {
    const t = setup();
    for (let day = 1; day <= 5; day++) await ask(t, { date: `2026-12-0${day}`, email: day % 2 ? 'reader@example.org' : 'READER@example.org' });
    await expect(ask(t, { date: '2026-12-06' })).rejects.toBeInstanceOf(RateLimitedError);
  });
});

describe('the reminders job', () => {
  it('sends nothing before 09:00 on the day in the site\'s time zone, then one email, then deletes the reminder', async () => {
    const t = setup('Europe/Warsaw');
    await ask(t, { lang: 'pl' });
    expect(await runDueReminders(t.job, new Date('2026-12-01T07:59:59.000Z'))).toMatchObject({ sent: 0 });
    expect(await runDueReminders(t.job, zonedTime('2026-12-01', 9, 'Europe/Warsaw'))).toMatchObject({ sent: 1 });
    expect(t.reminders.items.size).toBe(0);
    expect(await runDueReminders(t.job, new Date('2026-12-01T12:00:00.000Z'))).toMatchObject({ sent: 0, duplicate: 0 });
    expect(t.mailer.sent).toHaveLength(1);
    const [email] = t.mailer.sent;
    expect(email?.to).toBe('reader@example.org');
    expect(email?.subject).toBe('Twoje przypomnienie: Support Ukraine');
    expect(email?.text).toContain('https://api.example.org/v1/donate?campaign=ukraine&lang=pl');
    expect(email?.headers['List-Unsubscribe']).toMatch(/^<https:\/\/api\.example\.org\/v1\/reminders\/unsubscribe\?token=[^>]+&lang=pl>$/);
    expect(email?.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
  });

  it('sends once when two runs overlap', async () => {
    const t = setup();
    await ask(t);
    const at = new Date('2026-12-01T09:30:00.000Z');
    const runs = await Promise.all([runDueReminders(t.job, at), runDueReminders(t.job, at)]);
    expect(t.mailer.sent).toHaveLength(1);
    expect(runs.map((r) => r.sent).sort()).toEqual([0, 1]);
  });

  it('sends nothing twice after a run crashed between the send and the delete', async () => {
    const t = setup();
    await ask(t);
    t.reminders.crashOnDelete = true;
    await expect(runDueReminders(t.job, new Date('2026-12-01T09:30:00.000Z'))).rejects.toThrow('crashed');
    expect(await runDueReminders(t.job, new Date('2026-12-01T09:35:00.000Z'))).toMatchObject({ sent: 0, duplicate: 1 });
    expect(t.mailer.sent).toHaveLength(1);
    expect(t.reminders.items.size).toBe(0);
  });

  it('leaves a reminder whose send failed for the next run, which sends it', async () => {
    const t = setup();
    await ask(t);
    t.mailer.throttleNext = 1;
    expect(await runDueReminders(t.job, new Date('2026-12-01T09:30:00.000Z'))).toMatchObject({ sent: 0, busy: 1 });
    t.clock.advance(180); // the failed claim's lease runs out
    expect(await runDueReminders(t.job, new Date('2026-12-01T09:35:00.000Z'))).toMatchObject({ sent: 1 });
  });

  it('drops a reminder whose campaign has closed, and one more than three days late', async () => {
    const t = setup();
    await ask(t);
    await ask(t, { campaign: 'closed-one' });
    await ask(t, { date: '2026-11-27', email: 'late@example.org' });
    expect(await runDueReminders(t.job, new Date('2026-12-01T09:30:00.000Z'))).toMatchObject({ sent: 1, dropped: 1 });
    expect(t.mailer.sent.map((m) => m.to)).toEqual(['reader@example.org']);
  });

  it('sends nothing to a bounced address', async () => {
    const t = setup();
    await ask(t);
    const { addressKey } = await import('../../../../functions/core/shared/email-address.js');
    await t.suppressions.put(addressKey(t.deps.keys, 'reader@example.org'), 'bounced', t.clock.now());
    expect(await runDueReminders(t.job, new Date('2026-12-01T09:30:00.000Z'))).toMatchObject({ suppressed: 1 });
    expect(t.mailer.sent).toEqual([]);
  });

  it('carries nothing the requester typed but the address', async () => {
    const t = setup();
    await ask(t, { email: 'reader@example.org' });
    await runDueReminders(t.job, new Date('2026-12-01T09:30:00.000Z'));
    const [email] = t.mailer.sent;
    expect(email?.text.startsWith('Hello,\n')).toBe(true);
  });
});

describe('the reminders\' unsubscribe link', () => {
  it('cancels every other reminder to the address, and nothing of another', async () => {
    const t = setup();
    await ask(t, { date: '2026-12-01' });
    await ask(t, { date: '2026-12-02' });
    await ask(t, { date: '2026-12-03' });
    await ask(t, { date: '2026-12-03', email: 'other@example.org' });
    await runDueReminders(t.job, new Date('2026-12-01T09:30:00.000Z'));
    const token = /unsubscribe\?token=([^&>]+)/.exec(t.mailer.sent[0]?.headers['List-Unsubscribe'] ?? '')?.[1] ?? '';
    expect(await cancelReminders(t.request, decodeURIComponent(token))).toBe(2);
    expect(await cancelReminders(t.request, decodeURIComponent(token))).toBe(0);
    expect([...t.reminders.items.values()].map((r) => r.email)).toEqual(['other@example.org']);
    await expect(cancelReminders(t.request, 'v1.forged-token-forged-token-forged-token-forged')).rejects.toMatchObject({ name: 'InvalidTokenError' });
  });
});
