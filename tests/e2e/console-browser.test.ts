import { createHash } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DynamoEditors } from '../../functions/adapters/dynamo-console.js';
import { createAdminToken } from '../../functions/core/admin/admin.js';
import { DynamoAdminTokens } from '../../functions/adapters/dynamo-admin.js';
import type { Role } from '../../functions/core/console/model.js';
import { documentClient } from '../../functions/platform/clients.js';
import { axeViolations } from '../support/axe.js';
import { useServerAndBrowser } from '../support/browser.js';

// The console in Chromium: sign-in by link (the link's page posts itself) and by passkey (Chromium's virtual
// authenticator), every page as each role at a desktop's and a phone's width, axe-core clean, each 403, a cross-site
// post, an expired session, "sign out everywhere", and the audit log of the walk.

const env = useServerAndBrowser();
const dynamo = () => documentClient(env.server.clientOptions);
/** Editors are added as the CLI adds them (`npm run admin -- editor add`). */
const addEditor = (email: string, role: Role) => new DynamoEditors(dynamo(), env.server.tables.subscribers).put(email, role, new Date());

const PAGES = { dashboard: '/admin', editors: '/admin/editors', tokens: '/admin/tokens', audit: '/admin/audit', account: '/admin/account' } as const;
const ALLOWED: Record<Role, (keyof typeof PAGES)[]> = {
  viewer: ['dashboard', 'account'],
  fundraiser: ['dashboard', 'account'],
  exporter: ['dashboard', 'account'],
  admin: ['dashboard', 'editors', 'tokens', 'audit', 'account'],
};

const heading = (page: Page) => page.locator('h1').textContent();

/** Signs in on the sign-in page with a link from the outbox, in `context`; returns the signed-in page. */
const signInByLink = async (context: BrowserContext, email: string) => {
  const page = await context.newPage();
  await page.goto(`${env.server.url}/admin`);
  await expect(heading(page)).resolves.toBe('Sign in to the console');
  const before = (await env.server.mailTo(email)).length;
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await expect.poll(() => heading(page)).toBe('Check your inbox');
  const mails = await env.server.mailTo(email);
  expect(mails).toHaveLength(before + 1);
  expect(mails.at(-1)?.subject).toBe('Sign in to the GlobalSecurity.org console');
  const link = /http:\/\/\S+\/admin\/signin\?token=[\w.-]+(&lang=\w+)?/.exec(mails.at(-1)?.text ?? '')?.[0] ?? '';
  await page.goto(link);
  // The page posts itself at once (the console's script), and the post lands on the dashboard.
  await page.waitForURL(`${env.server.url}/admin`);
  await expect.poll(() => heading(page)).toBe('Dashboard');
  return page;
};

const sessionHash = async (context: BrowserContext) => {
  const cookie = (await context.cookies(env.server.url)).find((c) => c.name === 'appeal_session');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
  return createHash('sha256').update(cookie?.value ?? '').digest('hex');
};

describe('the console in Chromium', () => {
  it('signs in by link, walks every page at 1280 and 360 px with axe-core clean, and signs out', async () => {
    await addEditor('admin.walker@example.org', 'admin');
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await signInByLink(context, 'admin.walker@example.org');
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 800 });
      for (const path of Object.values(PAGES)) {
        const answer = await page.goto(`${env.server.url}${path}`);
        expect(answer?.status(), path).toBe(200);
        expect(await axeViolations(page), `${path} at ${width} px`).toEqual([]);
        // Nothing wider than the screen: the tables scroll in their own box.
        expect(await page.evaluate(() => document.documentElement.scrollWidth), `${path} at ${width} px`).toBeLessThanOrEqual(width);
      }
    }
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect.poll(() => heading(page)).toBe('Sign in to the console');
    expect((await context.cookies(env.server.url)).find((c) => c.name === 'appeal_session')).toBeUndefined();
    await context.close();
  });

  it('signs in without JavaScript: the link\'s page has a button, and every form posts', async () => {
    await addEditor('nojs.editor@example.org', 'admin');
    const context = await env.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${env.server.url}/admin`);
    await page.getByLabel('Email').fill('nojs.editor@example.org');
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await expect.poll(() => heading(page)).toBe('Check your inbox');
    const link = /http:\/\/\S+\/admin\/signin\?token=[\w.-]+(&lang=\w+)?/.exec((await env.server.mailTo('nojs.editor@example.org')).at(-1)?.text ?? '')?.[0] ?? '';
    await page.goto(link);
    await expect(heading(page)).resolves.toBe('Finish signing in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => heading(page)).toBe('Dashboard');
    await page.goto(`${env.server.url}/admin/editors`);
    await page.locator('#new-email').fill('added.without.script@example.org');
    await page.locator('#new-role').selectOption('fundraiser');
    await page.getByRole('button', { name: 'Save' }).last().click();
    await expect.poll(() => page.locator('tbody').textContent()).toContain('added.without.script@example.org');
    await context.close();
  });

  it('adds a passkey with Chromium\'s virtual authenticator and signs in with it, with no email', async () => {
    await addEditor('passkey.editor@example.org', 'exporter');
    const context = await env.browser.newContext();
    const page = await signInByLink(context, 'passkey.editor@example.org');
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true },
    });
    await page.goto(`${env.server.url}/admin/account`);
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Added ');
    // Signed out, then in again with the passkey alone.
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await expect.poll(() => heading(page)).toBe('Sign in to the console');
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expect.poll(() => heading(page)).toBe('Dashboard');
    await expect(page.locator('.whoami').textContent()).resolves.toContain('passkey.editor@example.org (Exporter)');
    await context.close();
  });

  it('offers each role only its pages and answers 403 to the others', async () => {
    for (const role of ['viewer', 'fundraiser', 'exporter', 'admin'] as const) {
      const email = `${role}.role@example.org`;
      await addEditor(email, role);
      const context = await env.browser.newContext();
      const page = await signInByLink(context, email);
      const offered = await page.locator('nav a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
      expect(offered, role).toEqual(ALLOWED[role].map((name) => PAGES[name]).sort((a, b) => Object.values(PAGES).indexOf(a) - Object.values(PAGES).indexOf(b)));
      for (const [name, path] of Object.entries(PAGES)) {
        const answer = await page.goto(`${env.server.url}${path}`);
        const allowed = ALLOWED[role].includes(name as keyof typeof PAGES);
        expect(answer?.status(), `${role} ${path}`).toBe(allowed ? 200 : 403);
        if (!allowed) await expect(heading(page)).resolves.toBe('Not allowed');
      }
      await context.close();
    }
  });

  it('refuses a post from another site, ends an expired session, and signs out everywhere', async () => {
    await addEditor('sessions.editor@example.org', 'admin');
    const first = await env.browser.newContext();
    const second = await env.browser.newContext();
    const page = await signInByLink(first, 'sessions.editor@example.org');
    const other = await signInByLink(second, 'sessions.editor@example.org');

    // A page of another site posts a console form (the demo site is another origin): refused, nothing changed.
    const attacker = await first.newPage();
    await attacker.goto(`${env.server.siteUrl}/`);
    await attacker.evaluate((action) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = action;
      for (const [name, value] of [['email', 'intruder@example.org'], ['role', 'admin'], ['csrf', 'guessed']] as const) {
        const input = document.createElement('input');
        input.name = name;
        input.value = value;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    }, `${env.server.url}/admin/editors`);
    await attacker.waitForURL(`${env.server.url}/admin/editors`);
    await expect.poll(() => heading(attacker)).toBe('Not allowed');
    await page.goto(`${env.server.url}/admin/editors`);
    await expect(page.locator('tbody').textContent()).resolves.not.toContain('intruder@example.org');

    // "Sign out everywhere" from the account page ends the other browser's session too.
    await page.goto(`${env.server.url}/admin/account`);
    await expect.poll(() => page.locator('main li').count()).toBe(2);
    await page.getByRole('button', { name: 'Sign out everywhere' }).click();
    await expect.poll(() => heading(page)).toBe('Sign in to the console');
    await other.reload();
    await expect(heading(other)).resolves.toBe('Sign in to the console');

    // A session past its 12 hours (its end moved into the past) is refused.
    const later = await signInByLink(second, 'sessions.editor@example.org');
    await dynamo().send(
      new UpdateCommand({
        TableName: env.server.tables.subscribers,
        Key: { pk: `SESSION#${await sessionHash(second)}`, sk: 'SESSION' },
        UpdateExpression: 'SET endsAt = :past',
        ExpressionAttributeValues: { ':past': new Date(Date.now() - 1000).toISOString() },
      }),
    );
    await later.reload();
    await expect(heading(later)).resolves.toBe('Sign in to the console');
    await first.close();
    await second.close();
  });

  it('keeps the walk in the audit log: sign-ins, editor and token changes, sign-outs', async () => {
    await addEditor('auditor@example.org', 'admin');
    const context = await env.browser.newContext();
    const page = await signInByLink(context, 'auditor@example.org');
    const { record } = await createAdminToken({ tokens: new DynamoAdminTokens(dynamo(), env.server.tables.subscribers), clock: { now: () => new Date() } }, 'walk token');
    await page.goto(`${env.server.url}/admin/tokens`);
    await page.locator('tr', { hasText: 'walk token' }).getByRole('button', { name: 'Revoke' }).click();
    await expect.poll(() => page.locator('main').textContent()).not.toContain('walk token');
    await page.goto(`${env.server.url}/admin/editors`);
    await page.locator('tr', { hasText: 'viewer.role@example.org' }).getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => page.locator('tbody').textContent()).not.toContain('viewer.role@example.org');
    await page.goto(`${env.server.url}/admin/audit`);
    const rows = await page.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).slice(1, 4).map((td) => td.textContent).join(' ')));
    for (const expected of [
      'auditor@example.org signin link',
      `auditor@example.org token.revoke ${record.id} walk token`,
      'auditor@example.org editor.remove viewer.role@example.org',
      'admin.walker@example.org signout ',
      'passkey.editor@example.org passkey.add ',
      'passkey.editor@example.org signin passkey',
      'sessions.editor@example.org session.end-all sessions.editor@example.org',
      'nojs.editor@example.org editor.add added.without.script@example.org fundraiser',
    ]) {
      expect(rows, expected).toContain(expected);
    }
    await context.close();
  });
});
