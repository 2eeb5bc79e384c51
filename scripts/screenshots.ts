/**
 * Retakes the screenshots in docs/images/ from a running dev server: `npm run docs:screenshots`.
 *
 * Start a dev server on a data folder of its own first, so that the pictures show a fresh demo (a fresh folder has
 * the `ukraine` campaign and nothing else), and add the console's editor with the CLI on the same folder:
 *
 *   PORT=3400 APPEAL_DATA_DIR=/tmp/appeal-screenshots npm start
 *   APPEAL_DATA_DIR=/tmp/appeal-screenshots npm run admin -- editor add --email editor@example.org --role admin
 *   APPEAL_URL=http://localhost:3400 npm run docs:screenshots
 *
 * The script makes two gifts through the Stripe simulator (so the banner has progress to show) and one signup (so
 * the inbox has a confirmation email), then photographs the demo article, the donation chooser, the Stripe
 * Checkout simulator, the inbox and the confirmation email. Then the console (the editors' guide): it signs the
 * editor in with the link the outbox holds and photographs the sign-in page, the dashboard (on a desktop and a
 * phone), the campaigns and a campaign's form, an export run to its end and the exports' history, a data request
 * and the erase's confirmation (nothing is erased), the audit log, and then, set up as an admin would (an endpoint
 * that a receiver this script runs answers, the reader confirmed, the local Mailchimp and listmonk added, a backfill
 * run), the webhooks and the connectors. It uses Debian's Chromium (CHROMIUM_PATH, default /usr/bin/chromium)
 * through playwright-core: nothing is downloaded.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

const API = (process.env.APPEAL_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = resolve(fileURLToPath(new URL('../docs/images', import.meta.url)));
const CAMPAIGN = 'ukraine';
const READER = 'reader@example.org';
/** The console's editor, added with the CLI before the script runs (see above). */
const EDITOR = process.env.APPEAL_EDITOR ?? 'editor@example.org';
/** A picture should stay small enough for a repository: warn above this. */
const MAX_BYTES = 200 * 1024;

const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };

const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const response = await fetch(`${API}${path}`, {
    method,
    headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
};

/** The demo site's URL: the API's `/` sends a browser there. */
const siteUrl = async () => {
  const response = await fetch(`${API}/`, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (!location) throw new Error(`${API}/ did not send a browser to the demo site: is the dev server running there?`);
  return location;
};

/** A paid gift through the simulator, as a donor at Checkout: the banner then has something to show. */
const give = async (amount: number, name: string, frequency: 'once' | 'monthly' = 'once') => {
  const session = await call('POST', '/v1/donations/checkout', { campaign: CAMPAIGN, amount, currency: 'usd', frequency });
  await call('POST', `/_local/stripe/checkout/${String(session.id)}/complete`, { email: `${name.toLowerCase()}@example.org`, name });
};

/** The newest email to an address (after `after` of them), from the outbox's JSON (it may take a moment to leave the queue). */
const newestMail = async (address: string, after = 0) => {
  for (let tries = 0; tries < 50; tries++) {
    const response = await fetch(`${API}/_local/outbox`, { headers: { accept: 'application/json' } });
    const mails = (await response.json()) as { id: string; to: string[]; text: string }[];
    const mine = mails.filter((mail) => mail.to.some((to) => to.includes(address)));
    const found = mine.length > after ? mine.at(-1) : undefined;
    if (found) return found;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no email to ${address} reached the outbox`);
};
const newestMailTo = async (address: string) => (await newestMail(address)).id;
const mailsTo = async (address: string) => {
  const response = await fetch(`${API}/_local/outbox`, { headers: { accept: 'application/json' } });
  return ((await response.json()) as { to: string[] }[]).filter((mail) => mail.to.some((to) => to.includes(address))).length;
};

/**
 * The console's pages for the editors' guide: signed in as EDITOR with a link from the outbox, in one browser context
 * (its session cookie), on a desktop unless a phone is asked for.
 */
const consolePictures = async (browser: Browser) => {
  const context = await browser.newContext({ viewport: desktop, deviceScaleFactor: 1, locale: 'en-US' });
  const page = await context.newPage();
  const go = async (path: string) => {
    await page.goto(`${API}${path}`, { waitUntil: 'networkidle' });
  };
  await go('/admin');
  await shoot(page, 'console-signin');
  const before = await mailsTo(EDITOR);
  await page.getByLabel('Email').fill(EDITOR);
  await page.getByRole('button', { name: 'Email me a link' }).click();
  await page.waitForLoadState('networkidle');
  const link = /https?:\/\/\S+\/admin\/signin\?token=[\w.-]+(&lang=\w+)?/.exec((await newestMail(EDITOR, before)).text)?.[0];
  if (!link) throw new Error(`no sign-in link reached ${EDITOR}: add the editor first (npm run admin -- editor add --email ${EDITOR} --role admin)`);
  await page.goto(link);
  await page.waitForURL(`${API}/admin`);
  await page.waitForLoadState('networkidle');
  await shoot(page, 'console-dashboard');
  await page.setViewportSize(phone);
  await shoot(page, 'console-dashboard-phone');
  await page.setViewportSize(desktop);

  await go('/admin/campaigns');
  await shoot(page, 'console-campaigns');
  await go(`/admin/campaigns/edit?id=${CAMPAIGN}`);
  await shoot(page, 'console-campaign', { fullPage: true });

  await go('/admin/exports');
  await page.getByLabel('What to export').selectOption('subscribers');
  await page.getByRole('button', { name: 'Start the export' }).click();
  await page.getByText(/Done: \d+ rows?\./).waitFor({ timeout: 30_000 });
  await shoot(page, 'console-export');
  await go('/admin/exports');
  await shoot(page, 'console-exports', { fullPage: true });

  await go('/admin/people');
  await page.getByLabel('Email').fill(READER);
  await page.getByRole('button', { name: 'Show what is held' }).click();
  await page.waitForLoadState('networkidle');
  await shoot(page, 'console-person', { fullPage: true });
  await page.getByRole('button', { name: `Erase ${READER}` }).click();
  await page.waitForLoadState('networkidle');
  await shoot(page, 'console-erase');

  await go('/admin/audit');
  await shoot(page, 'console-audit');

  await outboundPictures(page, go);
  await context.close();
};

/** Answers every delivery with 204, as a newsroom's receiver would: the endpoint the webhooks page shows. */
const startReceiver = () =>
  new Promise<{ url: string; close: () => void }>((resolve) => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(204);
        res.end();
      });
    });
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/appeal-events`, close: () => server.close() }));
  });

/**
 * The webhooks and connectors pages (admins), set up as an admin would: an endpoint added on its page (a receiver this
 * script runs on the loopback, which the dev server may call), the reader confirmed (someone to push), the local
 * Mailchimp and listmonk added with what `/_local/connectors` says of them, and a backfill to listmonk followed to
 * its end. After the audit log's picture, so the other pictures show what they always did.
 */
const outboundPictures = async (page: Page, go: (path: string) => Promise<void>) => {
  const heading = () => page.locator('h1').textContent();
  const until = async (check: () => Promise<boolean>, what: string) => {
    for (let tries = 0; tries < 100; tries++) {
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 300));
    }
    throw new Error(`timed out waiting for ${what}`);
  };
  const receiver = await startReceiver();
  try {
    await go('/admin/webhooks');
    await page.getByLabel('URL').fill(receiver.url);
    await page.getByLabel('All events').check();
    await page.getByLabel('Description (optional)').fill("The newsroom's CRM");
    await page.getByRole('button', { name: 'Add the endpoint' }).click();
    await until(async () => (await heading()) === 'Endpoint added', 'the endpoint to be added');
    await go('/admin/webhooks');
    await shoot(page, 'console-webhooks', { fullPage: true });

    const confirm = /https?:\/\/\S+\/v1\/subscriptions\/confirm\?\S+/.exec((await newestMail(READER)).text)?.[0];
    if (!confirm) throw new Error(`no confirmation link reached ${READER}`);
    await call('POST', new URL(confirm).pathname + new URL(confirm).search);

    const tools = (await call('GET', '/_local/connectors')) as {
      mailchimp: { apiUrl: string; apiKey: string; list: string };
      listmonk: { url: string; username: string; token: string; lists: { id: number }[] };
    };
    await go('/admin/connectors');
    await page.getByLabel('API key').fill(tools.mailchimp.apiKey);
    await page.getByLabel('Audience id').fill(tools.mailchimp.list);
    await page.getByLabel('API URL (optional)').fill(tools.mailchimp.apiUrl);
    await page.getByRole('button', { name: 'Add the connector' }).first().click();
    await until(async () => (await heading()) === 'Connector added', 'Mailchimp to be added');
    await go('/admin/connectors');
    await page.getByLabel("listmonk's address").fill(tools.listmonk.url);
    await page.getByLabel('API user').fill(tools.listmonk.username);
    await page.getByLabel('API token').fill(tools.listmonk.token);
    await page.getByLabel('List ids').fill(tools.listmonk.lists.map((list) => list.id).join(','));
    await page.getByRole('button', { name: 'Add the connector' }).last().click();
    await until(async () => (await heading()) === 'Connector added', 'listmonk to be added');
    await go('/admin/connectors');
    await page.getByRole('button', { name: `Push every confirmed reader to listmonk at ${tools.listmonk.url}` }).click();
    const row = page.locator('tr', { hasText: `listmonk at ${tools.listmonk.url}` });
    await until(async () => {
      await go('/admin/connectors');
      return /done: (\d+) of \1 pushed/.test((await row.textContent()) ?? '');
    }, 'the backfill to listmonk to be done');
    await shoot(page, 'console-connectors', { fullPage: true });
  } finally {
    receiver.close();
  }
};

const shoot = async (page: Page, name: string, options: { fullPage?: boolean } = {}) => {
  const path = join(OUT, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? false });
  const bytes = statSync(path).size;
  console.log(`${path}: ${Math.round(bytes / 1024)} KiB${bytes > MAX_BYTES ? ' (over 200 KiB: consider a smaller viewport)' : ''}`);
};

const open = async (browser: Browser, viewport: { width: number; height: number }, url: string) => {
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1, locale: 'en-US' });
  await page.goto(url, { waitUntil: 'networkidle' });
  return page;
};

const main = async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`);
  mkdirSync(OUT, { recursive: true });
  const site = await siteUrl();

  // Some progress for the banner, and a confirmation email for the inbox.
  await give(2500, 'Olena');
  await give(5000, 'Marta', 'monthly');
  await call('POST', '/v1/subscriptions', { email: READER, name: 'Reader', lists: ['news'] });
  const mailId = await newestMailTo(READER);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    // The demo article with the banner rendered by the embed (its progress bar from the campaign read).
    const article = await open(browser, desktop, site);
    await article.locator('[data-appeal="banner"]').waitFor();
    await article.waitForFunction(() => {
      const host = document.querySelector('[data-appeal="banner"]');
      return host?.shadowRoot?.textContent?.includes('donor') === true;
    });
    await shoot(article, 'article-banner');
    await article.close();

    // The donation chooser, a page the API hosts, on a phone.
    const chooser = await open(browser, phone, `${API}/v1/donate?campaign=${CAMPAIGN}`);
    await shoot(chooser, 'donate-chooser', { fullPage: true });
    await chooser.close();

    // The Stripe Checkout simulator's page for a new session (left open: nothing is paid).
    const session = await call('POST', '/v1/donations/checkout', { campaign: CAMPAIGN, amount: 1000, currency: 'usd', frequency: 'once' });
    const checkout = await open(browser, phone, String(session.url));
    await shoot(checkout, 'stripe-simulator', { fullPage: true });
    await checkout.close();

    // The local inbox, then the confirmation email as it shows it.
    const inbox = await open(browser, desktop, `${API}/_local/outbox`);
    await shoot(inbox, 'inbox');
    await inbox.close();
    const email = await open(browser, desktop, `${API}/_local/outbox/${encodeURIComponent(mailId)}`);
    await shoot(email, 'email-confirmation');
    await email.close();

    await consolePictures(browser);
  } finally {
    await browser.close();
  }
};

await main();
