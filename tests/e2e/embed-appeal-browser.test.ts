import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations } from '../support/axe.js';
import { launchChromium } from '../support/browser.js';
import { startTestServer, type TestServer } from '../support/dev-server.js';

// The appeal in the banner (API.md: "Attribution and appeal experiments", "The appeal", "The donor's year") on the
// demo article. What a test needs that the demo campaign does not have (variants, a monthly ask, other fee rates,
// named dates; a reminder's refusal; an embedded Checkout answer and a Stripe.js that records) is given to the page
// at the browser level (Playwright's page.route), exactly as the contract words it; everything else is the real dev
// server.

let server: TestServer;
let browser: Browser;
beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000' }), launchChromium()]);
});
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface Visit {
  page: Page;
  context: BrowserContext;
  errors: string[];
  /** The beacons the page sent to POST /v1/events, as JSON. */
  events: Record<string, unknown>[];
  close(): Promise<void>;
}

const json = (body: unknown, status = 200) => ({
  status,
  contentType: 'application/json',
  headers: { 'access-control-allow-origin': '*' },
  body: JSON.stringify(body),
});

/**
 * The demo article at `width`, its campaign answered with `campaign`'s fields added; `random` fixes Math.random (the
 * variant drawn); `embedded` puts data-checkout="embedded" on the banner's placeholder; `before` runs first.
 */
const visit = async (
  o: { width?: number; campaign?: Record<string, unknown>; random?: number; embedded?: boolean; path?: string; before?: (context: BrowserContext) => Promise<void> } = {},
): Promise<Visit> => {
  const context = await browser.newContext({ viewport: { width: o.width ?? 390, height: 844 }, locale: 'en-US' });
  if (o.random !== undefined) await context.addInitScript(`Math.random = () => ${o.random};`);
  await o.before?.(context);
  const page = await context.newPage();
  const errors: string[] = [];
  const events: Record<string, unknown>[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && page.url().startsWith(server.siteUrl)) errors.push(m.text());
  });
  page.on('request', (r: Request) => {
    if (r.url() === `${server.url}/v1/events`) events.push(JSON.parse(r.postData() ?? '{}') as Record<string, unknown>);
  });
  if (o.campaign) {
    const extra = o.campaign;
    await page.route(`${server.url}/v1/campaigns/ukraine`, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, json: { ...((await response.json()) as object), ...extra } });
    });
  }
  if (o.embedded) {
    // As the placeholder is parsed (a page fulfilled by the test instead of the demo site could not load the API's
    // script from a loopback address).
    await page.addInitScript(() => {
      new MutationObserver((_, observer) => {
        const placeholder = document.querySelector('[data-appeal="banner"]');
        if (!placeholder) return;
        placeholder.setAttribute('data-checkout', 'embedded');
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });
    });
  }
  await page.goto(`${server.siteUrl}/${o.path ?? ''}`);
  return { page, context, errors, events, close: () => context.close() };
};

const host = '[data-appeal="banner"]';
/** The widget in place of the placeholder's own HTML. */
const rendered = (page: Page) => page.waitForFunction((selector) => document.querySelector(selector)?.shadowRoot?.querySelector('.appeal-banner') != null, host);
const title = (page: Page) => page.locator(`${host} .appeal-banner-title`).textContent();
const checkoutRequest = (page: Page) => page.waitForRequest((r) => r.url() === `${server.url}/v1/donations/checkout` && r.method() === 'POST');

/** What this browser remembers of the demo campaign (memory.ts). */
const stored = (page: Page) => page.evaluate(() => JSON.parse(localStorage.getItem('appeal:ukraine') ?? '{}') as { gave?: number; closed?: number });

const URGENT = { id: 'urgent', weight: 3, headline: 'Winter is coming', ask: 'Keep a family warm', amounts: [1500, 3000], frequency: 'monthly' };

describe('variants, views and clicks', () => {
  it('draws one variant per page view by weight, shows its words, amounts and frequency, and counts its view and click', async () => {
    const variants = [{ id: 'control', weight: 1 }, URGENT];
    // Weights 1 and 3: a draw under a quarter of the total is the control, above it the other.
    const control = await visit({ campaign: { variants }, random: 0.1 });
    await rendered(control.page);
    await expect(title(control.page)).resolves.toBe('UNITED24: humanitarian aid for Ukraine – Make a charitable donation');
    await expect(control.page.getByLabel('Once').isChecked()).resolves.toBe(true);
    await control.close();

    const urgent = await visit({ campaign: { variants }, random: 0.5 });
    const { page } = urgent;
    await rendered(page);
    await expect(title(page)).resolves.toBe('Winter is coming – Keep a family warm');
    await expect(page.getByLabel('Monthly').isChecked()).resolves.toBe(true);
    await expect(page.locator(`${host} .appeal-amounts button[name="amount"]`).allTextContents()).resolves.toEqual(['$15 a month', '$30 a month']);
    // In sight for a second: one view, and never a second one.
    await expect.poll(() => urgent.events, { timeout: 5000 }).toEqual([{ type: 'view', campaign: 'ukraine', variant: 'urgent' }]);
    await page.waitForTimeout(1500);
    expect(urgent.events).toHaveLength(1);
    // The store keeps nothing to draw it.
    await expect(page.evaluate(() => localStorage.length)).resolves.toBe(0);

    const checkout = checkoutRequest(page);
    await page.getByRole('button', { name: '$30 a month' }).click();
    await page.getByRole('button', { name: 'Give $30 a month' }).click();
    expect((await checkout).postDataJSON()).toMatchObject({ amount: 3000, frequency: 'monthly', component: 'banner', variant: 'urgent', source: `${server.siteUrl}/` });
    await expect.poll(() => urgent.events.map((e) => e.type)).toEqual(['view', 'click']);
    expect(urgent.events[1]).toEqual({ type: 'click', campaign: 'ukraine', variant: 'urgent' });
    await page.waitForURL(/\/_local\/stripe\/checkout\/cs_test_/);
    await urgent.close();
  });

  it('counts no view when the banner leaves the screen within the second, and one once it stays', async () => {
    const v = await visit({ before: async (context) => {
        await context.addInitScript('addEventListener("DOMContentLoaded", () => document.body.style.minHeight = "4000px")');
      },
    });
    await rendered(v.page);
    await v.page.evaluate(() => window.scrollTo(0, 3000));
    await v.page.waitForTimeout(1800);
    expect(v.events).toEqual([]);
    await v.page.evaluate(() => window.scrollTo(0, 0));
    await expect.poll(() => v.events, { timeout: 5000 }).toEqual([{ type: 'view', campaign: 'ukraine', variant: 'control' }]);
    // The real route counts the control's view.
    await server.eventsIdle();
    await v.close();
  });

  it('carries the referring site and the page\'s utm_ fields with a gift and a signup, and the chooser link', async () => {
    const v = await visit({
      path: '?utm_source=newsletter&utm_medium=email&utm_campaign=winter',
      before: async (context) => context.setExtraHTTPHeaders({ referer: 'https://news.example.org/some/page?x=1' }),
    });
    await rendered(v.page);
    const checkout = checkoutRequest(v.page);
    await v.page.getByRole('button', { name: '$25', exact: true }).click();
    await v.page.getByRole('button', { name: 'Give $25', exact: true }).click();
    expect((await checkout).postDataJSON()).toMatchObject({
      component: 'banner',
      variant: 'control',
      source: `${server.siteUrl}/`,
      referrer: 'https://news.example.org',
      utm_source: 'newsletter',
      utm_medium: 'email',
      utm_campaign: 'winter',
    });
    await v.close();
  });
});

describe('monthly first, the monthly ask and the fee', () => {
  const APPEAL = { upsell: [{ amount: 1000, monthly: 500 }, { amount: 2500, monthly: 800 }], fee: { rate: 0.029, fixed: 30 } };

  it("names the exact extra from the API's own fee rates, and a ticked box is what Checkout charges", async () => {
    // The dev server's FEE_RATES are the defaults (usd:0.029+30): nothing in this campaign answer is the test's.
    const v = await visit();
    const { page } = v;
    await rendered(page);
    await page.getByRole('button', { name: '$25', exact: true }).click();
    const box = page.getByLabel('Add $1.06 so all $25 reaches UNITED24: humanitarian aid for Ukraine');
    await expect(box.isChecked()).resolves.toBe(false);
    await box.check();
    const checkout = checkoutRequest(page);
    await page.getByRole('button', { name: 'Give $26.06' }).click();
    expect((await checkout).postDataJSON()).toMatchObject({ amount: 2500, coverFee: true });
    await page.waitForURL(/\/_local\/stripe\/checkout\/cs_test_/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Pay $26.06');
    expect(v.errors).toEqual([]);
    await v.close();
  });

  it("starts on the campaign's default frequency", async () => {
    const v = await visit({ campaign: { defaultFrequency: 'monthly' } });
    await rendered(v.page);
    await expect(v.page.getByLabel('Monthly').isChecked()).resolves.toBe(true);
    await expect(v.page.getByRole('button', { name: '$25 a month' }).isVisible()).resolves.toBe(true);
    await v.close();
  });

  it('asks a one-time donor to give monthly; keeping the one-time gift is one tap, then the unticked fee box names the extra', async () => {
    const v = await visit({ campaign: APPEAL });
    const { page } = v;
    await rendered(page);
    await page.getByRole('button', { name: '$25', exact: true }).click();
    const lead = page.locator(`${host} .appeal-step-lead`);
    await expect(lead.textContent()).resolves.toBe('Would you give $8 a month instead? A monthly gift helps us plan ahead, and you can stop it at any time.');
    await expect.poll(() => page.evaluate(() => document.querySelector('[data-appeal="banner"]')?.shadowRoot?.activeElement?.className)).toBe('appeal-step-lead');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Keep my one-time gift of $25' }).click();

    // 2,530 / 0.971 = 2,605.56… → $26.06: $1.06 more.
    const box = page.getByLabel('Add $1.06 so all $25 reaches UNITED24: humanitarian aid for Ukraine');
    await expect(box.isChecked()).resolves.toBe(false);
    await expect(page.getByRole('button', { name: 'Give $25', exact: true }).isVisible()).resolves.toBe(true);
    await box.check();
    expect(await axeViolations(page)).toEqual([]);
    const checkout = checkoutRequest(page);
    await page.getByRole('button', { name: 'Give $26.06' }).click();
    const body = (await checkout).postDataJSON();
    expect(body).toMatchObject({ amount: 2500, frequency: 'once', coverFee: true, component: 'banner' });
    expect(body.mode).toBeUndefined();
    await page.waitForURL(/\/_local\/stripe\/checkout\/cs_test_/);
    await v.close();
  });

  it('gives the monthly amount when accepted (component upsell), and never asks one who chose monthly', async () => {
    const v = await visit({ campaign: APPEAL });
    const { page } = v;
    await rendered(page);
    await page.getByRole('button', { name: '$50', exact: true }).click();
    await page.getByRole('button', { name: 'Yes, $8 a month' }).click();
    // 830 / 0.971 = 854.79… → $0.55 more; the box stays unticked.
    await expect(page.getByLabel('Add $0.55 so all $8 reaches UNITED24: humanitarian aid for Ukraine').isChecked()).resolves.toBe(false);
    const checkout = checkoutRequest(page);
    await page.getByRole('button', { name: 'Give $8 a month' }).click();
    const body = (await checkout).postDataJSON();
    expect(body).toMatchObject({ amount: 800, frequency: 'monthly', component: 'upsell' });
    expect(body.coverFee).toBeUndefined();
    await v.close();

    const monthly = await visit({ campaign: APPEAL });
    await rendered(monthly.page);
    await monthly.page.getByLabel('Monthly').check();
    await monthly.page.getByRole('button', { name: '$25 a month' }).click();
    await expect(monthly.page.getByRole('button', { name: /^Yes/ }).count()).resolves.toBe(0);
    await expect(monthly.page.getByRole('button', { name: 'Give $25 a month' }).isVisible()).resolves.toBe(true);
    // Back: the amounts again.
    await monthly.page.getByRole('button', { name: 'Back' }).click();
    await expect(monthly.page.getByRole('button', { name: '$25 a month' }).isVisible()).resolves.toBe(true);
    expect([...v.errors, ...monthly.errors]).toEqual([]);
    await monthly.close();
  });

  it('shows no fee box when the campaign names no fee rates, and names zero-decimal amounts right', async () => {
    const yen = await visit({ campaign: { currency: 'jpy', suggestedAmounts: [1000, 3000], fee: { rate: 0.036, fixed: 0 } } });
    await rendered(yen.page);
    await yen.page.getByRole('button', { name: '¥1,000', exact: true }).click();
    await expect(yen.page.getByLabel('Add ¥38 so all ¥1,000 reaches UNITED24: humanitarian aid for Ukraine').isVisible()).resolves.toBe(true);
    await yen.close();

    // An API that names no fee for the campaign's currency (no FEE_RATES entry): no box, straight to Checkout.
    const none = await visit({ campaign: { upsell: [], fee: undefined } });
    await rendered(none.page);
    const checkout = checkoutRequest(none.page);
    await none.page.getByRole('button', { name: '$25', exact: true }).click();
    expect((await checkout).postDataJSON().coverFee).toBeUndefined();
    await none.page.waitForURL(/\/_local\/stripe\/checkout\/cs_test_/);
    await none.close();
  });
});

describe("don't ask again too soon", () => {

  it('thanks a browser back from a gift instead of asking, for thankDays, until ?appeal=reset', async () => {
    const v = await visit({ path: '?appeal=thanks' });
    const { page } = v;
    await rendered(page);
    await expect(title(page)).resolves.toBe('UNITED24: humanitarian aid for Ukraine – thank you for your gift');
    await expect(page.locator(`${host} .appeal-amounts`).count()).resolves.toBe(0);
    expect((await stored(page)).gave).toBeGreaterThan(Date.now() - 60_000);
    expect(await v.context.cookies()).toEqual([]);
    expect(await axeViolations(page)).toEqual([]);
    await page.goto(`${server.siteUrl}/`);
    await rendered(page);
    await expect(title(page)).resolves.toContain('thank you for your gift');
    await page.goto(`${server.siteUrl}/?appeal=reset`);
    await rendered(page);
    await expect(title(page)).resolves.toContain('Make a charitable donation');
    await expect(page.evaluate(() => localStorage.length)).resolves.toBe(0);
    await v.close();

    // A campaign that thanks for 0 days asks again at once.
    const asking = await visit({ path: '?appeal=thanks', campaign: { thankDays: 0 } });
    await rendered(asking.page);
    await expect(title(asking.page)).resolves.toContain('Make a charitable donation');
    await asking.close();
  });

  it('hides the banner for snoozeDays when closed, nothing moving but on the tap', async () => {
    const v = await visit();
    const { page } = v;
    await rendered(page);
    await page.getByRole('button', { name: 'Hide this appeal' }).click();
    await expect(page.locator(host).isVisible()).resolves.toBe(false);
    expect((await stored(page)).closed).toBeGreaterThan(Date.now() - 60_000);
    await page.reload();
    await page.waitForTimeout(1500);
    await expect(page.locator(host).isVisible()).resolves.toBe(false);
    await page.goto(`${server.siteUrl}/?appeal=reset`);
    await rendered(page);
    await expect(page.locator(host).isVisible()).resolves.toBe(true);
    expect(v.errors).toEqual([]);
    await v.close();
  });

  it('works where storage is refused (private modes): the banner asks, closes, and nothing breaks', async () => {
    const v = await visit({
      path: '?appeal=thanks',
      before: async (context) => {
        await context.addInitScript(() => {
          Object.defineProperty(window, 'localStorage', {
            get() {
              throw new DOMException('The operation is insecure.', 'SecurityError');
            },
          });
        });
      },
    });
    await rendered(v.page);
    await expect(title(v.page)).resolves.toContain('Make a charitable donation');
    await v.page.getByRole('button', { name: 'Hide this appeal' }).click();
    await expect(v.page.locator(host).isVisible()).resolves.toBe(false);
    expect(v.errors).toEqual([]);
    await v.close();
  });
});

describe('remind me later', () => {
  const soon = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);

  it("asks for an email and a date (next month, or the campaign's named dates) and says when it will write", async () => {
    const v = await visit({ campaign: { reminderDates: [{ date: soon, name: 'Giving Tuesday' }, { date: '2001-01-01', name: 'Long ago' }] } });
    const { page } = v;
    await rendered(page);
    const posted: unknown[] = [];
    let answer = json({ error: { code: 'invalid_email', message: 'Please enter a valid email address.', field: 'email' } }, 400);
    await page.route(`${server.url}/v1/reminders`, async (route) => {
      posted.push(route.request().postDataJSON());
      await route.fulfill(answer);
    });
    await page.getByRole('button', { name: 'Remind me later' }).click();
    const dates = await page.locator(`${host} input[name="date"]`).evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
    expect(dates).toHaveLength(2); // next month and Giving Tuesday; never a date gone by
    expect(dates[1]).toBe(soon);
    expect(await axeViolations(page)).toEqual([]);

    const email = page.locator(host).getByLabel('Email address');
    await email.fill('not-an-address@x');
    await page.getByRole('button', { name: 'Remind me', exact: true }).click();
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    await expect(page.locator(`${host} #appeal-later-error`).textContent()).resolves.toBe('Please enter a valid email address.');

    answer = json({ status: 'scheduled' }, 202);
    await email.fill('reader@example.org');
    await page.locator(host).getByRole('radio', { name: /Giving Tuesday/ }).check();
    await page.getByRole('button', { name: 'Remind me', exact: true }).click();
    const words = new Intl.DateTimeFormat('en', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(soon));
    await expect.poll(() => page.locator(`${host} .appeal-step-lead`).textContent()).toBe(`Thank you. We will write on ${words}.`);
    expect(posted.at(-1)).toEqual({ email: 'reader@example.org', campaign: 'ukraine', date: soon, lang: 'en' });
    expect(await axeViolations(page)).toEqual([]);
    await v.close();
  });
});

describe('paying without leaving the page (data-checkout="embedded")', () => {
  // A stand-in for Stripe.js's embedded Checkout, as the page would load it: Stripe(key).initEmbeddedCheckout({
  // fetchClientSecret, onComplete }) → { mount, destroy }. It records what it was given, and pays on a button.
  const FAKE_STRIPE = `window.Stripe = (key) => ({
    initEmbeddedCheckout: async ({ fetchClientSecret, onComplete }) => {
      const secret = await fetchClientSecret();
      (window.__stripe ||= []).push({ key, secret });
      let frame;
      return {
        mount(el) { frame = document.createElement('button'); frame.type = 'button'; frame.textContent = 'Pay (test)'; frame.onclick = onComplete; el.append(frame); },
        destroy() { frame?.remove(); window.__stripe.push('destroyed'); },
      };
    },
  });`;
  const answer = { id: 'cs_test_embedded', clientSecret: 'cs_test_embedded_secret_x', publishableKey: 'pk_test_appeal' };

  const embedded = async () => {
    const v = await visit({ embedded: true });
    const stripeJs: string[] = [];
    await v.page.route(`${server.url}/_test/stripe.js`, async (route) => {
      stripeJs.push(route.request().url());
      await route.fulfill({ status: 200, contentType: 'text/javascript', headers: { 'access-control-allow-origin': '*' }, body: FAKE_STRIPE });
    });
    const bodies: Record<string, unknown>[] = [];
    await v.page.route(`${server.url}/v1/donations/checkout`, async (route) => {
      bodies.push(route.request().postDataJSON() as Record<string, unknown>);
      await route.fulfill(json({ ...answer, stripeJsUrl: `${server.url}/_test/stripe.js` }, 201));
    });
    await rendered(v.page);
    return { ...v, stripeJs, bodies };
  };

  it('loads Stripe.js only when the donor pays, in a labelled modal dialog that Escape closes', async () => {
    const v = await embedded();
    const { page } = v;
    expect(v.stripeJs).toEqual([]);
    await page.getByRole('button', { name: '$25', exact: true }).click();
    await page.getByRole('button', { name: 'Give $25', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Your gift to UNITED24: humanitarian aid for Ukraine' });
    await dialog.waitFor();
    expect(v.stripeJs).toHaveLength(1);
    expect(v.bodies[0]).toMatchObject({ amount: 2500, mode: 'embedded', returnUrl: `${server.siteUrl}/` });
    await expect(page.evaluate(() => (window as unknown as { __stripe: unknown[] }).__stripe)).resolves.toEqual([{ key: 'pk_test_appeal', secret: 'cs_test_embedded_secret_x' }]);
    // Modal: the page behind is inert, focus is in the dialog.
    await expect.poll(() => page.evaluate(() => document.querySelector('[data-appeal="banner"]')?.shadowRoot?.activeElement?.closest('dialog') != null)).toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await expect(dialog.count()).resolves.toBe(0);
    await expect(title(page)).resolves.toContain('Make a charitable donation');
    // Escape closes the dialog at once (it leaves the accessibility tree), and its `close` event, which destroys
    // Checkout and removes the dialog, follows as a task of its own: wait for it rather than race it.
    await expect.poll(() => page.evaluate(() => (window as unknown as { __stripe: unknown[] }).__stripe.at(-1))).toBe('destroyed');
    await expect(page.evaluate(() => document.querySelector('[data-appeal="banner"]')?.shadowRoot?.querySelector('dialog') ?? null)).resolves.toBeNull();
    expect(page.url()).toBe(`${server.siteUrl}/`);
    expect(v.errors).toEqual([]);
    await v.close();
  });

  it('thanks the donor on the article once paid, and remembers that this browser gave', async () => {
    const v = await embedded();
    const { page } = v;
    await page.getByRole('button', { name: '$10', exact: true }).click();
    await page.getByRole('button', { name: 'Give $10', exact: true }).click();
    await page.getByRole('button', { name: 'Pay (test)' }).click();
    await expect(page.getByRole('dialog').count()).resolves.toBe(0);
    await expect.poll(() => title(page)).toBe('UNITED24: humanitarian aid for Ukraine – thank you for your gift');
    expect(page.url()).toBe(`${server.siteUrl}/`);
    await expect(page.evaluate(() => typeof JSON.parse(localStorage.getItem('appeal:ukraine') ?? '{}').gave)).resolves.toBe('number');
    await v.close();
  });

  it("pays in the simulator's Stripe.js and comes back to the article thanked, the return taken out of its address", async () => {
    // Nothing stood in at the browser level: the dev server's checkout answer, its Stripe.js stand-in (/_local/stripe/v3).
    const v = await visit({ embedded: true, path: '?utm_source=newsletter#story' });
    const { page } = v;
    await rendered(page);
    await page.getByRole('button', { name: '$10', exact: true }).click();
    const checkout = checkoutRequest(page);
    await page.getByRole('button', { name: 'Give $10', exact: true }).click();
    // The page it came from, without its fragment: where embedded Checkout brings the donor back.
    expect((await checkout).postDataJSON()).toMatchObject({ mode: 'embedded', returnUrl: `${server.siteUrl}/?utm_source=newsletter` });
    const form = page.locator(host).getByRole('dialog').frameLocator('iframe');
    await expect(form.locator('h1').textContent()).resolves.toBe('Pay $10.00');
    await form.getByLabel('Email').fill('embedded.return@example.org');
    const back = page.waitForRequest((r) => r.isNavigationRequest() && r.url().includes('appeal_checkout=cs_test_'));
    await form.getByRole('button', { name: 'Pay' }).click();
    expect(new URL((await back).url()).searchParams.get('utm_source')).toBe('newsletter');
    await page.waitForLoadState();
    await rendered(page);
    await expect(title(page)).resolves.toBe('UNITED24: humanitarian aid for Ukraine – thank you for your gift');
    // The address is the page's own again (a reload or a shared link is not a return), and this browser remembers.
    await expect.poll(() => page.url()).toBe(`${server.siteUrl}/?utm_source=newsletter`);
    expect((await stored(page)).gave).toBeGreaterThan(Date.now() - 60_000);
    expect(await axeViolations(page)).toEqual([]);
    await expect.poll(async () => (await server.mailTo('embedded.return@example.org')).filter((m) => m.subject.startsWith('Thank you'))).toHaveLength(1);
    expect(v.errors).toEqual([]);
    await v.close();

    // A made-up return is taken out of the address too, and thanks no one.
    const forged = await visit({ path: '?appeal_checkout=nonsense' });
    await rendered(forged.page);
    await expect(title(forged.page)).resolves.toContain('Make a charitable donation');
    expect(forged.page.url()).toBe(`${server.siteUrl}/`);
    await forged.close();
  });

  it('goes to Stripe Checkout as before when the API answers with a page address (no embedded session)', async () => {
    const v = await visit({ embedded: true });
    await rendered(v.page);
    // A stage that answers an in-page request with Checkout's page address: the dev server offers the in-page
    // checkout, so the request is passed on as a redirect one, whose real answer has a `url`.
    const asked: unknown[] = [];
    await v.page.route(`${server.url}/v1/donations/checkout`, async (route) => {
      const { returnUrl: _onlyEmbedded, ...body } = route.request().postDataJSON() as Record<string, unknown>;
      asked.push(body.mode);
      await route.continue({ postData: JSON.stringify({ ...body, mode: 'redirect' }) });
    });
    await v.page.getByRole('button', { name: '$25', exact: true }).click();
    await v.page.getByRole('button', { name: 'Give $25', exact: true }).click();
    await v.page.waitForURL(/\/_local\/stripe\/checkout\/cs_test_/);
    expect(asked).toEqual(['embedded']);
    await v.close();
  });
});
