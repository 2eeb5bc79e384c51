import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_LISTMONK, LOCAL_MAILCHIMP } from '../../local/server/connector-stand-ins.js';
import { runAdmin } from '../support/cli.js';
import { linkIn, postJson, startTestServer, type TestServer } from '../support/dev-server.js';

// The newsletter connectors through the dev server, as a developer uses them: the CLI adds a Mailchimp and a
// listmonk connector pointing at the dev server's own stand-ins, and every change of a reader's life reaches both.

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ SIGNUP_ADDRESS_LIMIT_PER_HOUR: '1000', SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1000', LINK_CLIENT_LIMIT_PER_MINUTE: '1000' });
});
afterAll(async () => {
  await server.stop();
});

const admin = (...args: string[]) => runAdmin(['--data-dir', server.dataDir, ...args]);
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;

/** Signs up and follows the latest confirmation link. */
const join = async (email: string, name?: string) => {
  await postJson(`${server.url}/v1/subscriptions`, { email, ...(name ? { name } : {}) });
  await server.mailIdle();
  const links = (await server.mailTo(email)).map((m) => m.text).filter((t) => t.includes('/v1/subscriptions/confirm'));
  const confirmed = await postJson(linkIn(links.at(-1) ?? '', '/v1/subscriptions/confirm'), undefined);
  expect(confirmed.status).toBeLessThan(400);
  await server.mailIdle();
};

const mailchimpMember = (email: string) => server.connectorStandIns.mailchimp.member(LOCAL_MAILCHIMP.list, email);
const listmonkLists = (email: string) => server.connectorStandIns.listmonk.subscriber(email)?.subscriptions.map((s) => [s.listId, s.status]) ?? [];

/** Waits until the background work (stream, deliveries, backfill slices) has settled and `check` holds. */
const eventually = async (check: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 100; i++) {
    await server.webhooksIdle();
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the condition never held');
};

describe('connectors to the dev server\'s Mailchimp and listmonk', () => {
  it('backfills the readers who confirmed before, then follows a reader\'s life: confirm, unsubscribe, re-subscribe, a gift, bounce, erase', async () => {
    // A reader who confirmed before any connector existed: only a backfill brings them.
    await join('early@example.org', 'Early Reader');
    await server.webhooksIdle();

    const mailchimp = await admin('connector', 'add', 'mailchimp', '--api-key', LOCAL_MAILCHIMP.apiKey, '--list', LOCAL_MAILCHIMP.list, '--api-url', server.connectorStandIns.mailchimpUrl);
    expect(mailchimp.code, mailchimp.stderr).toBe(0);
    const listmonk = await admin('connector', 'add', 'listmonk', '--url', server.connectorStandIns.listmonkUrl, '--username', LOCAL_LISTMONK.username, '--token', LOCAL_LISTMONK.token, '--lists', '1');
    expect(listmonk.code, listmonk.stderr).toBe(0);
    const ids = [String(lastJson(mailchimp.stdout).id), String(lastJson(listmonk.stdout).id)];

    for (const id of ids) {
      const started = await admin('connector', 'backfill', '--id', id);
      expect(started.code, started.stderr).toBe(0);
      expect(lastJson(started.stdout)).toMatchObject({ state: 'running', pushed: 0 });
    }
    await eventually(() => mailchimpMember('early@example.org')?.status === 'subscribed' && listmonkLists('early@example.org').length === 1);
    await eventually(async () => (await admin('connector', 'list')).stdout.split('\n').filter((l) => l.includes('backfill done 1/1')).length === 2);
    expect(mailchimpMember('early@example.org')?.merge_fields).toMatchObject({ FNAME: 'Early Reader' });

    // A confirmation pushes, with the consent evidence.
    const email = 'ada@example.org';
    await join(email, 'Ada Lovelace');
    await eventually(() => mailchimpMember(email)?.status === 'subscribed' && listmonkLists(email).length === 1);
    const member = mailchimpMember(email);
    expect(member).toMatchObject({ status: 'subscribed', merge_fields: { FNAME: 'Ada Lovelace' }, language: 'en' });
    expect(member?.timestamp_signup).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    expect(member?.timestamp_opt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/);
    expect(member?.ip_signup).toBe('');
    expect(listmonkLists(email)).toEqual([[1, 'confirmed']]);
    expect(server.connectorStandIns.listmonk.subscriber(email)).toMatchObject({ name: 'Ada Lovelace', status: 'enabled', attribs: { lang: 'en' } });

    // An unsubscribe follows: unsubscribed in Mailchimp, off the list in listmonk.
    const [welcome] = (await server.mailTo(email)).filter((m) => m.headers['List-Unsubscribe']);
    await fetch(welcome?.headers['List-Unsubscribe']?.slice(1, -1) ?? '', { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await eventually(() => mailchimpMember(email)?.status === 'unsubscribed' && listmonkLists(email).length === 0);

    // Back again: subscribed in both.
    await join(email, 'Ada Lovelace');
    await eventually(() => mailchimpMember(email)?.status === 'subscribed' && listmonkLists(email).length === 1);
    expect(listmonkLists(email)).toEqual([[1, 'confirmed']]);

    // A gift: the donor's status reaches both tools (Mailchimp's merge fields, listmonk's attribute).
    const session = await postJson(`${server.url}/v1/donations/checkout`, { campaign: 'ukraine', amount: 2500, currency: 'usd', frequency: 'once', email });
    expect(session.status).toBe(201);
    const { id: checkout } = (await session.json()) as { id: string };
    expect((await postJson(`${server.url}/_local/stripe/checkout/${checkout}/complete`, { email })).status).toBe(200);
    await eventually(() => mailchimpMember(email)?.merge_fields['DONOR'] === 'donor');
    expect(mailchimpMember(email)?.merge_fields).toMatchObject({ DONOR: 'donor', LASTAMT: '25.00 USD', TOTALGIVEN: '25.00 USD' });
    expect(mailchimpMember(email)?.merge_fields['LASTGIFT']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await eventually(() => (server.connectorStandIns.listmonk.subscriber(email)?.attribs as { donor?: unknown } | undefined)?.donor !== undefined);
    expect(server.connectorStandIns.listmonk.subscriber(email)?.attribs).toMatchObject({ donor: { status: 'donor', lastGiftAmount: 2500, total: 2500, currency: 'usd' } });

    // A bounce (SES's mailbox simulator): unsubscribed in Mailchimp (kept there so no import subscribes it), not on the listmonk list.
    const bounced = 'bounce@simulator.amazonses.com';
    await postJson(`${server.url}/v1/subscriptions`, { email: bounced });
    await server.mailIdle();
    await eventually(() => mailchimpMember(bounced)?.status === 'unsubscribed');
    expect(listmonkLists(bounced)).toEqual([]);

    // The dev server's page lists what each tool holds.
    const page = await fetch(`${server.url}/_local/connectors`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('ada@example.org');
    expect(text).toContain(`--api-url ${server.connectorStandIns.mailchimpUrl}`);
    const json = (await (await fetch(`${server.url}/_local/connectors`)).json()) as { mailchimp: { members: unknown[] }; listmonk: { subscribers: unknown[] } };
    expect(json.mailchimp.members).toHaveLength(3);
    expect(json.listmonk.subscribers).toHaveLength(2);

    // An erase: Mailchimp forgets the member permanently, listmonk takes them off the connector's list.
    const erased = await admin('subscriber', 'erase', email, '--yes');
    expect(erased.code, erased.stderr).toBe(0);
    await eventually(() => server.connectorStandIns.mailchimp.isForgotten(LOCAL_MAILCHIMP.list, email) && listmonkLists(email).length === 0);
    expect(mailchimpMember(email)).toBeUndefined();
  }, 120_000);

  it('keeps the stand-ins as strict as the services: a wrong key or token is refused with their own error bodies', async () => {
    const mailchimp = await fetch(`${server.connectorStandIns.mailchimpUrl}/3.0/lists/${LOCAL_MAILCHIMP.list}`, {
      headers: { authorization: `Basic ${Buffer.from('any:wrongkey-us1').toString('base64')}` },
    });
    expect(mailchimp.status).toBe(401);
    expect(await mailchimp.json()).toMatchObject({ title: 'API Key Invalid', status: 401 });
    const listmonk = await fetch(`${server.connectorStandIns.listmonkUrl}/api/lists`, { headers: { authorization: 'token appeal:wrong' } });
    expect(listmonk.status).toBe(403);
    expect(await listmonk.json()).toEqual({ message: 'invalid API credentials' });
    // Appeal never calls its own API's address: the tools live on the demo site's port.
    const own = await admin('connector', 'add', 'listmonk', '--url', `${server.url}/_local/listmonk`, '--username', 'appeal', '--token', 't', '--lists', '1');
    expect(own.code).toBe(1);
    expect(own.stderr).toContain('own API');
  });
});
