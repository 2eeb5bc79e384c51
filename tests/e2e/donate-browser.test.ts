import { describe, expect, it } from 'vitest';
import { useServerAndBrowser } from '../support/browser.js';

const env = useServerAndBrowser();

describe('the donation banner in Chromium', () => {
  it('takes a reader from an amount to the simulator, to the thank-you page, and moves the progress bar', async () => {
    const page = await env.browser.newPage();
    await page.goto(`${env.server.siteUrl}/`);
    const label = page.locator('.appeal-progress-label');
    // The banner keeps a number and its word together with a no-break space.
    const labelText = async () => (await label.textContent())?.replace(/\s+/g, ' ');
    await expect.poll(labelText).toContain('$0 raised of $50,000 goal');

    await page.getByRole('button', { name: '$25', exact: true }).click();
    await page.getByRole('button', { name: 'Give $25', exact: true }).click();
    await page.waitForURL(/\/_local\/stripe\/checkout\/cs_test_/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Pay $25.00');
    await page.getByLabel('Email').fill('banner.donor@example.org');
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.waitForURL(/\/v1\/donate\/thanks\?session_id=cs_test_/);
    await expect(page.locator('h1').textContent()).resolves.toBe('Thank you for your gift');
    await expect(page.getByRole('status').textContent()).resolves.toContain('Your gift of $25.00 to UNITED24: humanitarian aid for Ukraine has been received.');

    await page.goto(`${env.server.siteUrl}/`);
    await expect.poll(labelText).toContain('$25 raised of $50,000 goal · 1 donor · 1 gift');
    // 25 of 50,000 is 0.05 %, under a pixel: the bar shows from the first gift all the same.
    await expect(page.locator('.appeal-progress-fill').boundingBox().then((box) => box?.width)).resolves.toBeGreaterThanOrEqual(8);

    const receipts = (await env.server.mailTo('banner.donor@example.org')).filter((m) => m.subject.startsWith('Thank you'));
    expect(receipts).toHaveLength(1);
    await page.close();
  });

  it('switches the amounts to monthly gifts', async () => {
    const page = await env.browser.newPage();
    await page.goto(`${env.server.siteUrl}/`);
    // The banner is built in short tasks and then takes the place of the HTML without JavaScript: choosing before
    // then would choose in the HTML it replaces.
    await page.waitForFunction(() => document.querySelector('[data-appeal="banner"]')?.shadowRoot?.querySelector('.appeal-banner') != null);
    await page.getByLabel('Monthly').check();
    await page.getByRole('button', { name: '$10 a month' }).click();
    await page.getByRole('button', { name: 'Give $10 a month' }).click();
    await page.waitForURL(/\/_local\/stripe\/checkout\//);
    await expect(page.locator('h1').textContent()).resolves.toBe('Pay $10.00 a month');
    await page.close();
  });

  it('works without JavaScript: the chooser page and a custom amount', async () => {
    const context = await env.browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${env.server.siteUrl}/`);
    await page.getByRole('button', { name: 'Other amount' }).click();
    await expect(page.locator('h1').textContent()).resolves.toBe('Give to UNITED24: humanitarian aid for Ukraine');
    await page.getByLabel('Amount (USD)').fill('12.50');
    await page.getByLabel('Every month').check();
    await page.getByRole('button', { name: 'Continue to payment' }).click();
    await page.waitForURL(/\/_local\/stripe\/checkout\//);
    await expect(page.locator('h1').textContent()).resolves.toBe('Pay $12.50 a month');
    await context.close();
  });
});
