import { describe, expect, it } from 'vitest';
import { LOCAL_LISTMONK, LOCAL_MAILCHIMP } from '../../local/server/connector-stand-ins.js';
import { lastJson, useConnectorServer } from '../support/connector-server.js';
import { postJson } from '../support/dev-server.js';

// The newsletter connectors through the dev server, as a developer uses them: the CLI adds a Mailchimp and a
// listmonk connector pointing at the dev server's own stand-ins, and every change of a reader's life reaches both.

const { env, admin, join, eventually, backfillState, mailchimpMember, listmonkLists } = useConnectorServer();

describe('connectors to the dev server\'s Mailchimp and listmonk', () => {
  it('backfills the readers who confirmed before, then follows a reader\'s life: confirm, unsubscribe, re-subscribe, a gift, bounce, erase', async () => {
    // A reader who confirmed before any connector existed: only a backfill brings them.
    await join('early@example.org', 'Early Reader');
    await env.server.webhooksIdle();

    const mailchimp = await admin('connector', 'add', 'mailchimp', '--api-key', LOCAL_MAILCHIMP.apiKey, '--list', LOCAL_MAILCHIMP.list, '--api-url', env.server.connectorStandIns.mailchimpUrl);
    expect(mailchimp.code, mailchimp.stderr).toBe(0);
    const listmonk = await admin('connector', 'add', 'listmonk', '--url', env.server.connectorStandIns.listmonkUrl, '--username', LOCAL_LISTMONK.username, '--token', LOCAL_LISTMONK.token, '--lists', '1');
    expect(listmonk.code, listmonk.stderr).toBe(0);
    const ids = [String(lastJson(mailchimp.stdout).id), String(lastJson(listmonk.stdout).id)];

    for (const id of ids) {
      const started = await admin('connector', 'backfill', '--id', id);
      expect(started.code, started.stderr).toBe(0);
      expect(lastJson(started.stdout)).toMatchObject({ state: 'running', pushed: 0 });
    }
    await eventually(() => mailchimpMember('early@example.org')?.status === 'subscribed' && listmonkLists('early@example.org').length === 1);
    await eventually(async () => (await Promise.all(ids.map(backfillState))).every((state) => state === 'done'));
    expect((await admin('connector', 'list')).stdout.split('\n').filter((l) => l.includes('backfill done 1/1'))).toHaveLength(2);
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
    expect(env.server.connectorStandIns.listmonk.subscriber(email)).toMatchObject({ name: 'Ada Lovelace', status: 'enabled', attribs: { lang: 'en' } });

    // An unsubscribe follows: unsubscribed in Mailchimp, off the list in listmonk.
    const [welcome] = (await env.server.mailTo(email)).filter((m) => m.headers['List-Unsubscribe']);
    await fetch(welcome?.headers['List-Unsubscribe']?.slice(1, -1) ?? '', { method: 'POST', body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await eventually(() => mailchimpMember(email)?.status === 'unsubscribed' && listmonkLists(email).length === 0);

    // Back again: subscribed in both.
    await join(email, 'Ada Lovelace');
    await eventually(() => mailchimpMember(email)?.status === 'subscribed' && listmonkLists(email).length === 1);
    expect(listmonkLists(email)).toEqual([[1, 'confirmed']]);

    // A gift: the donor's status reaches both tools (Mailchimp's merge fields, listmonk's attribute).
    const session = await postJson(`${env.server.url}/v1/donations/checkout`, { campaign: 'ukraine', amount: 2500, currency: 'usd', frequency: 'once', email });
    expect(session.status).toBe(201);
    const { id: checkout } = (await session.json()) as { id: string };
    expect((await postJson(`${env.server.url}/_local/stripe/checkout/${checkout}/complete`, { email })).status).toBe(200);
    await eventually(() => mailchimpMember(email)?.merge_fields['DONOR'] === 'donor');
    expect(mailchimpMember(email)?.merge_fields).toMatchObject({ DONOR: 'donor', LASTAMT: '25.00 USD', TOTALGIVEN: '25.00 USD' });
    expect(mailchimpMember(email)?.merge_fields['LASTGIFT']).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await eventually(() => (env.server.connectorStandIns.listmonk.subscriber(email)?.attribs as { donor?: unknown } | undefined)?.donor !== undefined);
    expect(env.server.connectorStandIns.listmonk.subscriber(email)?.attribs).toMatchObject({ donor: { status: 'donor', lastGiftAmount: 2500, total: 2500, currency: 'usd' } });

    // A bounce (SES's mailbox simulator): unsubscribed in Mailchimp (kept there so no import subscribes it), not on the listmonk list.
    const bounced = 'bounce@simulator.amazonses.com';
    await postJson(`${env.server.url}/v1/subscriptions`, { email: bounced });
    await env.server.mailIdle();
    await eventually(() => mailchimpMember(bounced)?.status === 'unsubscribed');
    expect(listmonkLists(bounced)).toEqual([]);

    // The dev server's page lists what each tool holds.
    const page = await fetch(`${env.server.url}/_local/connectors`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const text = await page.text();
    expect(text).toContain('ada@example.org');
    expect(text).toContain(`--api-url ${env.server.connectorStandIns.mailchimpUrl}`);
    const json = (await (await fetch(`${env.server.url}/_local/connectors`)).json()) as { mailchimp: { members: unknown[] }; listmonk: { subscribers: unknown[] } };
    expect(json.mailchimp.members).toHaveLength(3);
    expect(json.listmonk.subscribers).toHaveLength(2);

    // An erase: Mailchimp forgets the member permanently, listmonk takes them off the connector's list.
    const erased = await admin('subscriber', 'erase', email, '--yes');
    expect(erased.code, erased.stderr).toBe(0);
    await eventually(() => env.server.connectorStandIns.mailchimp.isForgotten(LOCAL_MAILCHIMP.list, email) && listmonkLists(email).length === 0);
    expect(mailchimpMember(email)).toBeUndefined();
  }, 120_000);

  it('keeps the stand-ins as strict as the services: a wrong key or token is refused with their own error bodies', async () => {
    const mailchimp = await fetch(`${env.server.connectorStandIns.mailchimpUrl}/3.0/lists/${LOCAL_MAILCHIMP.list}`, {
      headers: { authorization: `Basic ${Buffer.from('any:wrongkey-us1').toString('base64')}` },
    });
    expect(mailchimp.status).toBe(401);
    expect(await mailchimp.json()).toMatchObject({ title: 'API Key Invalid', status: 401 });
    const listmonk = await fetch(`${env.server.connectorStandIns.listmonkUrl}/api/lists`, { headers: { authorization: 'token appeal:wrong' } });
    expect(listmonk.status).toBe(403);
    expect(await listmonk.json()).toEqual({ message: 'invalid API credentials' });
    // Appeal never calls its own API's address: the tools live on the demo site's port.
    const own = await admin('connector', 'add', 'listmonk', '--url', `${env.server.url}/_local/listmonk`, '--username', 'appeal', '--token', 't', '--lists', '1');
    expect(own.code).toBe(1);
    expect(own.stderr).toContain('own API');
  });
});
