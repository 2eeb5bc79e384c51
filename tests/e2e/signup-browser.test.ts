import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from '../support/browser.js';
import { linkIn } from '../support/dev-server.js';

const env = useServerAndBrowser();

describe('the demo article page in Chromium', () => {
  it('signs up, confirms from the email, and unsubscribes from the email', async () => {
    const page = await env.browser.newPage();
    await page.goto(`${env.server.siteUrl}/`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Russia Resumes Aleppo Bombings After Brief Pause');

    await page.getByLabel('Email address').fill('browser.reader@example.org');
    await page.getByLabel('Name (optional)').fill('Dana');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    const status = page.locator('form[data-appeal-signup]').getByRole('status');
    await expect.poll(() => status.textContent()).toContain('Check your inbox');
    expect(page.url()).toBe(`${env.server.siteUrl}/`); // shown inline, no navigation

    const [confirmation] = await env.server.mailTo('browser.reader@example.org');
    expect(confirmation?.subject).toBe('Please confirm your subscription to GlobalSecurity.org');
    await page.goto(linkIn(confirmation?.text ?? '', '/v1/subscriptions/confirm'));
    await page.waitForURL(/confirm/);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Subscription confirmed');

    const mails = await env.server.mailTo('browser.reader@example.org');
    expect(mails.map((m) => m.subject)).toContain('Welcome to GlobalSecurity.org');
    await page.goto(linkIn(mails.at(-1)?.text ?? '', '/v1/subscriptions/unsubscribe'));
    await expect(page.locator('h1').textContent()).resolves.toBe('Unsubscribe');
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('You have been unsubscribed');
    await page.close();
  });

  it('shows a field error tied to the field, without leaving the page', async () => {
    const page = await env.browser.newPage();
    await page.goto(`${env.server.siteUrl}/`);
    await page.getByLabel('Email address').fill('not-an-address');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    const email = page.getByLabel('Email address');
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    const errorId = await email.getAttribute('aria-describedby');
    await expect(page.locator(`#${errorId}`).textContent()).resolves.toBe('Please enter a valid email address.');
    await expect(page.locator('form[data-appeal-signup]').getByRole('status').textContent()).resolves.toBe('Please correct the highlighted field.');
    await page.close();
  });

  it('works without JavaScript: the form posts and lands on the thank-you page; the button confirms', async () => {
    const context = await env.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${env.server.siteUrl}/`);
    await page.getByLabel('Email address').fill('nojs.reader@example.org');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.waitForURL(`${env.server.url}/v1/subscriptions/thanks?lang=en`);
    await expect(page.locator('h1').textContent()).resolves.toBe('Check your inbox');

    const [confirmation] = await env.server.mailTo('nojs.reader@example.org');
    await page.goto(linkIn(confirmation?.text ?? '', '/v1/subscriptions/confirm'));
    await expect(page.locator('h1').textContent()).resolves.toBe('Confirm your subscription');
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Subscription confirmed');
    await context.close();
  });
});
