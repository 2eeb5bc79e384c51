import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoEditors } from '../../functions/adapters/dynamo-console.js';
import type { Role } from '../../functions/core/console/model.js';
import { documentClient } from '../../functions/platform/clients.js';
import { useServerAndBrowser } from '../support/browser.js';
import { checkAtBothWidths, heading, signInByLink as signInOn } from '../support/console-browser.js';
import { linkIn, postJson } from '../support/dev-server.js';
import { LOCAL_LISTMONK } from '../../local/server/connector-stand-ins.js';

// The console's webhooks and connectors pages in Chromium, as an admin: an endpoint added (its secret shown once),
// its delivery log after a signup's confirmation, a retry, a replay, a new secret, its removal after the page that
// names it; Mailchimp and listmonk connectors added and one removed; a backfill started from its button and followed
// to done; every page axe-core clean at 1280 and 360 px.
// A viewer gets the 403 page and no link.

const env = useServerAndBrowser({ CONSOLE_SIGNIN_CLIENT_LIMIT_PER_HOUR: '100' });
const addEditor = (email: string, role: Role) => new DynamoEditors(documentClient(env.server.clientOptions), env.server.tables.subscribers).put(email, role, new Date());

const receiver = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(204);
    res.end();
  });
});
const receiverUrl = new Promise<string>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`)));
afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));

/** Signs in by link in `context` (tests/support/console-browser.ts); returns the signed-in page. */
const signInByLink = (context: BrowserContext, email: string) => signInOn(env.server, context, email);

describe('the webhooks and connectors pages in Chromium', () => {
  it('let an admin add an endpoint, read its log, retry, replay, rotate and remove it, every page axe-clean', async () => {
    const url = await receiverUrl;
    await addEditor('hooks.admin@example.org', 'admin');
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signInByLink(context, 'hooks.admin@example.org');
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await expect.poll(() => heading(page)).toBe('Webhooks');
    await checkAtBothWidths(page, 'webhooks');

    // A refused address is an error on the form.
    await page.getByLabel('URL').fill('http://10.0.0.8/hooks');
    await page.getByLabel('subscriber.confirmed').check();
    await page.getByRole('button', { name: 'Add the endpoint' }).click();
    await expect.poll(() => page.locator('[role=alert]').textContent()).toBeTruthy();
    await checkAtBothWidths(page, 'webhooks with a refused URL');

    await page.getByLabel('URL').fill(url);
    await page.getByLabel('Description (optional)').fill('The CRM');
    await page.getByRole('button', { name: 'Add the endpoint' }).click();
    await expect.poll(() => heading(page)).toBe('Endpoint added');
    const secret = await page.locator('#secret').textContent();
    expect(secret).toMatch(/^whsec_/);
    await checkAtBothWidths(page, 'endpoint added');

    // A confirmation reaches the endpoint: its log shows it delivered.
    const reader = 'hooked.reader@example.org';
    expect((await postJson(`${env.server.url}/v1/subscriptions`, { email: reader })).status).toBe(202);
    await env.server.mailIdle();
    const [confirmation] = await env.server.mailTo(reader);
    expect((await postJson(linkIn(confirmation?.text ?? '', '/v1/subscriptions/confirm'), undefined)).ok).toBe(true);
    await env.server.webhooksIdle();
    await page.getByRole('link', { name: `Deliveries to ${url}` }).click();
    await expect.poll(() => heading(page)).toBe(`Deliveries to ${url}`);
    await expect.poll(() => page.locator('tbody').textContent()).toContain('Delivered');
    await checkAtBothWidths(page, 'delivery log');
    await page.getByRole('button', { name: /^Retry delivery msg_/ }).first().click();
    await expect.poll(() => heading(page)).toBe(`Deliveries to ${url}`);
    await page.getByLabel('Since (UTC)').fill('2020-01-01T00:00');
    await page.getByRole('button', { name: 'Replay everything since then' }).click();
    await expect.poll(() => page.locator('[role=status]').first().textContent()).toMatch(/sent again/);
    await checkAtBothWidths(page, 'after a replay');

    await page.getByRole('link', { name: 'Back to the webhooks' }).click();
    await page.getByRole('button', { name: `New secret for ${url}` }).click();
    await expect.poll(() => heading(page)).toBe('A new signing secret');
    expect(await page.locator('#secret').textContent()).not.toBe(secret);
    await checkAtBothWidths(page, 'new secret');
    await page.getByRole('link', { name: 'Back to the webhooks' }).click();
    expect(await page.locator('main').textContent()).not.toContain(secret ?? '?');
    await page.getByRole('button', { name: `Remove ${url}` }).click();
    await expect.poll(() => heading(page)).toBe(`Remove ${url}?`);
    await checkAtBothWidths(page, 'remove an endpoint');
    await page.getByRole('button', { name: `Remove ${url}` }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('There are no webhook endpoints yet.');
    await context.close();
  });

  it('let an admin add Mailchimp (its webhook URL shown once) and listmonk, and remove one after asking', async () => {
    await addEditor('tools.admin@example.org', 'admin');
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signInByLink(context, 'tools.admin@example.org');
    await page.getByRole('link', { name: 'Connectors' }).click();
    await expect.poll(() => heading(page)).toBe('Connectors');
    await checkAtBothWidths(page, 'connectors');
    await page.getByLabel('API key').fill('0123456789abcdef-us6');
    await page.getByLabel('Audience id').fill('abc123');
    await page.getByLabel('API URL (optional)').fill('http://127.0.0.1:9');
    await page.getByRole('button', { name: 'Add the connector' }).first().click();
    await expect.poll(() => heading(page)).toBe('Connector added');
    await expect(page.locator('#webhook-url').textContent()).resolves.toMatch(/\/v1\/connectors\/cn_[a-f0-9]{16}\/mailchimp\?secret=/);
    await checkAtBothWidths(page, 'connector added');
    await page.getByRole('link', { name: 'Back to the connectors' }).click();
    await page.getByLabel("listmonk's address").fill('http://127.0.0.1:9');
    await page.getByLabel('API user').fill('appeal');
    await page.getByLabel('API token').fill('lm-secret-7f3a');
    await page.getByLabel('List ids').fill('1,2');
    await page.getByRole('button', { name: 'Add the connector' }).last().click();
    await expect.poll(() => heading(page)).toBe('Connector added');
    await page.getByRole('link', { name: 'Back to the connectors' }).click();
    const list = (await page.locator('main').textContent()) ?? '';
    expect(list).toContain('Mailchimp audience abc123');
    expect(list).toContain('listmonk at http://127.0.0.1:9');
    for (const secret of ['0123456789abcdef-us6', 'lm-secret-7f3a']) expect(await page.content()).not.toContain(secret);
    await checkAtBothWidths(page, 'two connectors');
    await page.getByRole('button', { name: 'Remove the connector to listmonk at http://127.0.0.1:9' }).click();
    await expect.poll(() => heading(page)).toBe('Remove the connector to listmonk at http://127.0.0.1:9?');
    await checkAtBothWidths(page, 'remove a connector');
    await page.getByRole('button', { name: 'Remove the connector to listmonk at http://127.0.0.1:9' }).click();
    await expect.poll(() => page.locator('main').textContent()).not.toContain('listmonk at');
    await context.close();
  });

  it('let an admin push every confirmed reader to listmonk from its button, and follow the backfill to done', async () => {
    const reader = 'backfilled.reader@example.org';
    await postJson(`${env.server.url}/v1/subscriptions`, { email: reader });
    await env.server.mailIdle();
    const [confirmation] = await env.server.mailTo(reader);
    expect((await postJson(linkIn(confirmation?.text ?? '', '/v1/subscriptions/confirm'), undefined)).status).toBeLessThan(400);
    await env.server.webhooksIdle();
    await addEditor('backfill.admin@example.org', 'admin');
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signInByLink(context, 'backfill.admin@example.org');
    await page.goto(`${env.server.url}/admin/connectors`);
    const listmonkUrl = env.server.connectorStandIns.listmonkUrl;
    await page.getByLabel("listmonk's address").fill(listmonkUrl);
    await page.getByLabel('API user').fill(LOCAL_LISTMONK.username);
    await page.getByLabel('API token').fill(LOCAL_LISTMONK.token);
    await page.getByLabel('List ids').fill('1');
    await page.getByRole('button', { name: 'Add the connector' }).last().click();
    await expect.poll(() => heading(page)).toBe('Connector added');
    await page.getByRole('link', { name: 'Back to the connectors' }).click();
    const row = page.locator('tr', { hasText: `listmonk at ${listmonkUrl}` });
    await expect(row.textContent()).resolves.toContain('not started');

    await page.getByRole('button', { name: `Push every confirmed reader to listmonk at ${listmonkUrl}` }).click();
    await page.waitForURL(`${env.server.url}/admin/connectors`);
    // Its progress, in words and a bar, until the slices on the delivery queue have pushed everyone.
    await expect.poll(() => row.textContent()).toMatch(/(running|done): \d+ (of \d+ )?pushed, started/);
    await env.server.webhooksIdle();
    await expect.poll(async () => {
      await page.reload();
      return row.textContent();
    }).toMatch(/done: (\d+) of \1 pushed/);
    expect(await row.locator('progress').getAttribute('value')).toBe('100');
    expect(env.server.connectorStandIns.listmonk.subscriber(reader)?.subscriptions.map((s) => [s.listId, s.status])).toEqual([[1, 'confirmed']]);
    await checkAtBothWidths(page, 'a backfill done');
    await context.close();
  });

  it('answer a viewer with the 403 page and offer no link', async () => {
    await addEditor('hooks.viewer@example.org', 'viewer');
    const context = await env.browser.newContext();
    const page = await signInByLink(context, 'hooks.viewer@example.org');
    expect(await page.locator('.console-nav a[href="/admin/webhooks"], .console-nav a[href="/admin/connectors"]').count()).toBe(0);
    for (const path of ['/admin/webhooks', '/admin/connectors']) {
      const answer = await page.goto(`${env.server.url}${path}`);
      expect(answer?.status(), path).toBe(403);
      await expect(heading(page)).resolves.toBe('Not allowed');
    }
    await context.close();
  });
});
