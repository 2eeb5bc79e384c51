import { createHash } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DynamoEditors } from '../../functions/adapters/dynamo-console.js';
import { createAdminToken } from '../../functions/core/admin/admin.js';
import { DynamoAdminTokens } from '../../functions/adapters/dynamo-admin.js';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { DynamoEventCounters } from '../../functions/adapters/dynamo-event-counters.js';
import { DynamoExperimentStore } from '../../functions/adapters/dynamo-experiments.js';
import { campaignSettings } from '../support/donation-fakes.js';
import type { Role } from '../../functions/core/console/model.js';
import { documentClient } from '../../functions/platform/clients.js';
import { useServerAndBrowser } from '../support/browser.js';
import { checkAtBothWidths, heading, signInByLink as signInOn } from '../support/console-browser.js';

// The console in Chromium: sign-in by link (the link's page posts itself) and by passkey (Chromium's virtual
// authenticator), every page as each role at a desktop's and a phone's width, axe-core clean, each 403, a cross-site
// post, an expired session, "sign out everywhere", and the audit log of the walk.

// Every editor of the walk signs in from the same address: more than the 30 sign-ins an hour one client may make.
const env = useServerAndBrowser({ CONSOLE_SIGNIN_CLIENT_LIMIT_PER_HOUR: '100' });
const dynamo = () => documentClient(env.server.clientOptions);
/** Editors are added as the CLI adds them (`npm run admin -- editor add`). */
const addEditor = (email: string, role: Role) => new DynamoEditors(dynamo(), env.server.tables.subscribers).put(email, role, new Date());

/** Signs in by link in `context` (tests/support/console-browser.ts); returns the signed-in page. */
const signInByLink = (context: BrowserContext, email: string) => signInOn(env.server, context, email);

/** The console's pages, in the navigation's order. */
const PAGES = {
  dashboard: '/admin',
  campaigns: '/admin/campaigns',
  experiments: '/admin/experiments',
  exports: '/admin/exports',
  people: '/admin/people',
  editors: '/admin/editors',
  tokens: '/admin/tokens',
  webhooks: '/admin/webhooks',
  connectors: '/admin/connectors',
  audit: '/admin/audit',
  account: '/admin/account',
} as const;
const ALLOWED: Record<Role, (keyof typeof PAGES)[]> = {
  viewer: ['dashboard', 'campaigns', 'account'],
  fundraiser: ['dashboard', 'campaigns', 'experiments', 'account'],
  exporter: ['dashboard', 'campaigns', 'experiments', 'exports', 'people', 'account'],
  admin: ['dashboard', 'campaigns', 'experiments', 'exports', 'people', 'editors', 'tokens', 'webhooks', 'connectors', 'audit', 'account'],
};

/**
 * Posts a console form from the signed-in page, as a tampered page of our own origin would: the session's cookie and
 * CSRF token go with it. Returns the answer's status.
 */
const postFrom = async (page: Page, action: string, fields: Record<string, string>) => {
  const answer = page.waitForResponse((response) => response.url() === `${env.server.url}${action}` && response.request().method() === 'POST');
  await page.evaluate(
    ({ action, fields }) => {
      const form = document.createElement('form');
      form.method = 'post';
      form.action = action;
      const token = document.querySelector<HTMLInputElement>('input[name=csrf]')?.value ?? '';
      for (const [name, value] of Object.entries({ csrf: token, ...fields })) {
        const input = document.createElement('input');
        input.name = name;
        input.value = value;
        form.append(input);
      }
      document.body.append(form);
      form.submit();
    },
    { action, fields },
  );
  return (await answer).status();
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
    for (const path of Object.values(PAGES)) {
      const answer = await page.goto(`${env.server.url}${path}`);
      expect(answer?.status(), path).toBe(200);
      // Each page loaded once, then seen at both widths: nothing wider than the screen (the tables scroll in their own box).
      await checkAtBothWidths(page, path);
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

  it.each(['viewer', 'fundraiser', 'exporter', 'admin'] as const)('offers the %s role only its pages and answers 403 to the others', async (role) => {
    const email = `${role}.role@example.org`;
    await addEditor(email, role);
    const context = await env.browser.newContext();
    const page = await signInByLink(context, email);
    const offered = await page.locator('.console-nav a').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    expect(offered, role).toEqual(ALLOWED[role].map((name) => PAGES[name]).sort((a, b) => Object.values(PAGES).indexOf(a) - Object.values(PAGES).indexOf(b)));
    for (const [name, path] of Object.entries(PAGES)) {
      const answer = await page.goto(`${env.server.url}${path}`);
      const allowed = ALLOWED[role].includes(name as keyof typeof PAGES);
      expect(answer?.status(), `${role} ${path}`).toBe(allowed ? 200 : 403);
      if (!allowed) await expect(heading(page)).resolves.toBe('Not allowed');
    }
    await context.close();
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

  it('lets a fundraiser create, edit, close (after asking) and reopen a campaign, every page axe-clean at 1280 and 360 px', async () => {
    await addEditor('campaigner@example.org', 'fundraiser');
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signInByLink(context, 'campaigner@example.org');
    await page.goto(`${env.server.url}/admin/campaigns`);
    await page.getByRole('link', { name: 'New campaign' }).click();
    await expect.poll(() => heading(page)).toBe('New campaign');
    await checkAtBothWidths(page, 'new campaign');
    await page.getByLabel('Id').fill('browser-appeal');
    await page.getByLabel('Title').fill('The browser appeal');
    await page.getByLabel('Currency').selectOption('eur');
    await page.getByLabel('Goal').fill('12,500.00');
    await page.getByRole('button', { name: 'Create the campaign' }).click();
    await expect.poll(() => heading(page)).toBe('Campaigns');
    await expect(page.locator('tr', { hasText: 'The browser appeal' }).textContent()).resolves.toContain('€0 of €12,500');
    await checkAtBothWidths(page, 'campaigns');
    await page.getByRole('link', { name: 'Edit The browser appeal' }).click();
    await expect(page.locator('#currency').textContent()).resolves.toContain('EUR');
    await checkAtBothWidths(page, 'campaign form');
    await page.getByLabel('Title').fill('The renamed appeal');
    await page.getByRole('button', { name: 'Save the settings' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('The renamed appeal');
    await page.getByRole('link', { name: 'Edit The renamed appeal' }).click();
    await page.getByRole('link', { name: 'Close The renamed appeal' }).click();
    await expect.poll(() => heading(page)).toBe('Close The renamed appeal?');
    await checkAtBothWidths(page, 'close a campaign');
    await page.getByRole('button', { name: 'Close The renamed appeal' }).click();
    await expect.poll(() => page.locator('tr', { hasText: 'The renamed appeal' }).textContent()).toContain('Closed');
    await page.getByRole('link', { name: 'Edit The renamed appeal' }).click();
    await page.getByRole('button', { name: 'Reopen The renamed appeal' }).click();
    await expect.poll(() => page.locator('tr', { hasText: 'The renamed appeal' }).textContent()).toContain('Open');
    await context.close();
  });

  it("shows a fundraiser an experiment's results, chart and verdict, and ends it after naming the variant, every page axe-clean at 1280 and 360 px", async () => {
    await new DynamoCampaignRepository(dynamo(), env.server.tables.donations).saveSettings(campaignSettings({ id: 'tested-appeal', title: 'The tested appeal' }), new Date());
    const since = new Date(Date.now() - 2 * 86_400_000);
    await new DynamoExperimentStore(dynamo(), env.server.tables.donations).setVariant('tested-appeal', { id: 'urgent', weight: 1, headline: 'Our reporters need you today' }, since);
    const day = (n: number) => new Date(since.getTime() + n * 86_400_000).toISOString().slice(0, 10);
    await new DynamoEventCounters(dynamo(), env.server.tables.donations, 8).add(
      [0, 1, 2].map((n) => ({ campaign: 'tested-appeal', day: day(n), counts: { 'view:control': 40 + n, 'view:urgent': 30 + n, 'click:urgent': 2 } })),
      'browser-experiment',
    );
    await addEditor('experimenter@example.org', 'fundraiser');
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signInByLink(context, 'experimenter@example.org');
    await page.getByRole('link', { name: 'Experiments' }).click();
    await expect.poll(() => heading(page)).toBe('Experiments');
    await checkAtBothWidths(page, 'experiments');
    await page.getByRole('link', { name: 'Results for The tested appeal' }).click();
    await expect.poll(() => heading(page)).toBe('Experiment: The tested appeal');
    await expect(page.locator('main').textContent()).resolves.toContain('Not enough data yet');
    await expect(page.getByRole('img', { name: 'Cumulative revenue per 1,000 views' })).toBeTruthy();
    await expect(page.locator('tr', { hasText: 'Our reporters need you today' }).locator('td').nth(1).textContent()).resolves.toBe('93');
    await checkAtBothWidths(page, 'an experiment');
    await page.getByRole('button', { name: 'Let the allocation follow the results' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Views follow the results (Thompson sampling).');
    await page.getByLabel('Variant to keep').selectOption('urgent');
    await page.getByRole('button', { name: 'End the experiment…' }).click();
    await expect.poll(() => heading(page)).toBe('Keep urgent for The tested appeal?');
    await checkAtBothWidths(page, 'end an experiment');
    await page.getByRole('button', { name: 'Keep urgent and end the experiment' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('This experiment has ended: every page view shows urgent.');
    await context.close();
  });

  it('lets an exporter run an export to its end and download it, and answer a data request to the erase', async () => {
    await addEditor('exporter.walker@example.org', 'exporter');
    expect((await fetch(`${env.server.url}/v1/subscriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'asked.to.forget@example.org', name: 'Ada Asker' }) })).status).toBe(202);
    await env.server.mailIdle();
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await signInByLink(context, 'exporter.walker@example.org');

    await page.goto(`${env.server.url}/admin/exports`);
    await checkAtBothWidths(page, 'exports');
    await page.getByLabel('What to export').selectOption('subscribers');
    await page.getByRole('button', { name: 'Start the export' }).click();
    // The progress page reloads itself (a meta refresh) until the export is done, then offers its file.
    await expect.poll(() => page.locator('main').textContent(), { timeout: 20_000 }).toMatch(/Done: \d+ rows\./);
    await checkAtBothWidths(page, 'a finished export');
    const href = (await page.getByRole('link', { name: 'Download the Subscribers file' }).getAttribute('href')) ?? '';
    const download = await page.request.get(`${env.server.url}${href}`, { maxRedirects: 0 });
    expect(download.status()).toBe(303);
    const file = await (await fetch(download.headers().location ?? '')).text();
    expect(file.replace(/^\uFEFF/, '')).toMatch(/^email,name,status,lists/);
    expect(file).toContain('asked.to.forget@example.org');
    await page.goto(`${env.server.url}/admin/exports`);
    await expect(page.locator('tbody tr').first().textContent()).resolves.toContain('exporter.walker@example.org');

    await page.goto(`${env.server.url}/admin/people`);
    await checkAtBothWidths(page, 'data requests');
    await page.getByLabel('Email').fill('asked.to.forget@example.org');
    await page.getByRole('button', { name: 'Show what is held' }).click();
    await expect.poll(() => heading(page)).toBe('asked.to.forget@example.org');
    await expect(page.locator('main').textContent()).resolves.toContain('Ada Asker');
    await checkAtBothWidths(page, 'a person\'s record');
    await page.getByRole('button', { name: 'Erase asked.to.forget@example.org' }).click();
    await expect.poll(() => heading(page)).toBe('Erase asked.to.forget@example.org?');
    await checkAtBothWidths(page, 'the erase\'s confirmation');
    await page.getByLabel('Type asked.to.forget@example.org again to confirm').fill('asked.to.forget@example.org');
    await page.getByRole('button', { name: 'Erase asked.to.forget@example.org' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('asked.to.forget@example.org is erased');
    await page.goto(`${env.server.url}/admin/people`);
    await page.getByLabel('Email').fill('asked.to.forget@example.org');
    await page.getByRole('button', { name: 'Show what is held' }).click();
    await expect.poll(() => page.locator('main').textContent()).toContain('Mail stopped');
    await context.close();
  });

  it('answers a viewer\'s posts to campaigns, exports and data requests with 403, and changes nothing', async () => {
    await addEditor('viewer.poster@example.org', 'viewer');
    const context = await env.browser.newContext();
    const page = await signInByLink(context, 'viewer.poster@example.org');
    for (const [action, fields] of [
      ['/admin/campaigns', { mode: 'create', id: 'viewer-made', title: 'Not allowed', currency: 'usd', goal: '10' }],
      ['/admin/campaigns/close', { id: 'browser-appeal', confirm: 'yes' }],
      ['/admin/campaigns/reopen', { id: 'browser-appeal' }],
      ['/admin/exports', { kind: 'subscribers' }],
      ['/admin/people', { email: 'admin.walker@example.org' }],
      ['/admin/people/erase', { email: 'admin.walker@example.org', confirm: 'admin.walker@example.org' }],
    ] as const) {
      await page.goto(`${env.server.url}/admin/campaigns`);
      expect(await postFrom(page, action, fields), action).toBe(403);
      await expect.poll(() => heading(page)).toBe('Not allowed');
    }
    await page.goto(`${env.server.url}/admin/campaigns`);
    await expect(page.locator('main').textContent()).resolves.not.toContain('Not allowed');
    await expect(page.locator('tr', { hasText: 'The renamed appeal' }).textContent()).resolves.toContain('Open');
    await context.close();
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
      'campaigner@example.org campaign.save browser-appeal created',
      'campaigner@example.org campaign.save browser-appeal updated',
      'campaigner@example.org campaign.save browser-appeal closed',
      'campaigner@example.org campaign.save browser-appeal reopened',
      'experimenter@example.org experiment.allocate tested-appeal thompson',
      'experimenter@example.org experiment.end tested-appeal kept urgent',
      'exporter.walker@example.org subscriber.show asked.to.forget@example.org',
      'exporter.walker@example.org subscriber.erase asked.to.forget@example.org',
    ]) {
      expect(rows, expected).toContain(expected);
    }
    expect(rows.filter((row) => /^exporter\.walker@example\.org export\.(start|download) exp_/.test(row)).map((row) => row.split(' ')[1])).toEqual(['export.download', 'export.start']);
    await context.close();
  });
});
