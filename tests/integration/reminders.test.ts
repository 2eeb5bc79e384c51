import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { documentClient } from '../../functions/platform/clients.js';
import { runAdminHere } from '../support/cli.js';
import { postJson, startTestServer, type TestServer } from '../support/dev-server.js';
import { campaignSettings } from '../support/donation-fakes.js';

/**
 * "Remind me later" through the dev server: the request, the job (through the dev server's job route and the
 * admin CLI) on DynamoDB Local's due-time index, overlapping runs, and the one-click unsubscribe.
 */

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ SITE_TIME_ZONE: 'America/New_York', REMINDER_ADDRESS_LIMIT_PER_DAY: '3' });
  await new DynamoCampaignRepository(documentClient(server.clientOptions), server.tables.donations).saveSettings(campaignSettings({ id: 'winter', title: 'Winter Appeal' }), new Date());
});
afterAll(() => server.stop());

/** A day `n` days from now (UTC), as `YYYY-MM-DD`: always tomorrow or later in New York too when n ≥ 2. */
const dayAhead = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
/** 09:00 in New York on a day (the test does not run across a change of its clocks' offset by more than an hour). */
const nineInNewYork = (day: string) => {
  const guess = new Date(`${day}T14:00:00.000Z`);
  const hour = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' }).format(guess));
  return new Date(guess.getTime() - (hour - 9) * 3_600_000);
};

const remind = (body: Record<string, unknown>) => postJson(`${server.url}/v1/reminders`, { campaign: 'winter', ...body });
const run = async (at: Date) => {
  const response = await postJson(`${server.url}/_local/jobs/reminders`, { at: at.toISOString() });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, number>;
};

describe('POST /v1/reminders', () => {
  it('answers 202 scheduled for any valid address, JSON or form, and refuses a date outside the next year', async () => {
    const day = dayAhead(5);
    const first = await remind({ email: 'known@example.org', date: day });
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ status: 'scheduled' });
    const form = await fetch(`${server.url}/v1/reminders`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ email: 'form@example.org', campaign: 'winter', date: day, lang: 'es' }),
    });
    expect(form.status).toBe(202);
    for (const date of [dayAhead(-1), dayAhead(400), 'tomorrow']) {
      const refused = await remind({ email: 'known@example.org', date });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('invalid_date');
    }
    expect(((await (await remind({ email: 'nope', date: day })).json()) as { error: { code: string } }).error.code).toBe('invalid_email');
    expect(((await (await remind({ email: 'x@example.org', date: day, extra: 1 })).json()) as { error: { code: string } }).error.code).toBe('invalid_field');
  });

  it('shows a browser without JavaScript a page, in its language', async () => {
    const response = await fetch(`${server.url}/v1/reminders`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      body: new URLSearchParams({ email: 'browser@example.org', campaign: 'winter', date: dayAhead(6), lang: 'uk' }),
    });
    expect(response.status).toBe(202);
    expect(await response.text()).toContain('Нагадування встановлено');
  });

  it('limits the reminders asked for one address', async () => {
    const statuses = [];
    for (let n = 10; n < 14; n++) statuses.push((await remind({ email: 'eager@example.org', date: dayAhead(n) })).status);
    expect(statuses).toEqual([202, 202, 202, 429]);
  });
});

describe('the reminders job', () => {
  it('sends one email at 09:00 on the day, never twice across overlapping and repeated runs, then forgets the reminder', async () => {
    const day = dayAhead(3);
    expect((await remind({ email: 'once@example.org', date: day, lang: 'pl' })).status).toBe(202);
    const nine = nineInNewYork(day);
    expect((await run(new Date(nine.getTime() - 60_000))).sent).toBe(0);
    const runs = await Promise.all([run(nine), run(nine), run(nine)]);
    expect(runs.reduce((sum, r) => sum + (r.sent ?? 0), 0)).toBe(1);
    expect((await run(new Date(nine.getTime() + 600_000))).sent).toBe(0);
    const mail = await server.mailTo('once@example.org');
    expect(mail.map((m) => m.subject)).toEqual(['Twoje przypomnienie: Winter Appeal']);
    expect(mail[0]?.text).toContain('/v1/donate?campaign=winter&lang=pl');
  });

  it('runs from the admin CLI for a given time', async () => {
    const day = dayAhead(4);
    await remind({ email: 'cli@example.org', date: day });
    const at = new Date(nineInNewYork(day).getTime() + 60_000).toISOString();
    const first = await runAdminHere(['--data-dir', server.dataDir, 'reminders', 'run', '--at', at]);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({ at, sent: 1 });
    const again = await runAdminHere(['--data-dir', server.dataDir, 'reminders', 'run', '--at', at]);
    expect(JSON.parse(again.stdout.trim().split('\n').at(-1) ?? '{}')).toMatchObject({ sent: 0 });
    expect(await server.mailTo('cli@example.org')).toHaveLength(1);
    const bad = await runAdminHere(['--data-dir', server.dataDir, 'reminders', 'run', '--at', 'next tuesday']);
    expect(bad.code).not.toBe(0);
  });

  it('stops every other reminder to the address with the one-click unsubscribe', async () => {
    const [first, second, third] = [dayAhead(7), dayAhead(8), dayAhead(9)];
    for (const date of [first, second, third]) await remind({ email: 'stop@example.org', date });
    await run(nineInNewYork(first ?? ''));
    const [email] = await server.mailTo('stop@example.org');
    const link = /^<(.+)>$/.exec(email?.headers?.['List-Unsubscribe'] ?? '')?.[1] ?? /(http:\/\/\S+\/v1\/reminders\/unsubscribe\?token=\S+)/.exec(email?.text ?? '')?.[1];
    expect(link).toBeDefined();
    const prompt = await fetch(link ?? '', { headers: { accept: 'text/html' } });
    expect(prompt.status).toBe(200);
    const oneClick = await fetch(link ?? '', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
    expect(oneClick.status).toBe(200);
    expect(await oneClick.json()).toEqual({ status: 'unsubscribed' });
    await run(nineInNewYork(second ?? ''));
    await run(nineInNewYork(third ?? ''));
    expect(await server.mailTo('stop@example.org')).toHaveLength(1);
  });
});
