import { describe, expect, it } from 'vitest';
import { DEMO_CAMPAIGN } from '../../local/demo/campaign.js';
import { useServerAndBrowser } from '../support/browser.js';

const env = useServerAndBrowser();

interface Embedded {
  id: string;
  clientSecret: string;
  publishableKey: string;
  stripeJsUrl: string;
}

/** An embedded checkout for a gift on the demo article, as the embed asks for one. */
const startEmbedded = async (returnUrl: string): Promise<Embedded> => {
  const response = await fetch(`${env.server.url}/v1/donations/checkout`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ campaign: DEMO_CAMPAIGN, amount: 2500, currency: 'usd', mode: 'embedded', returnUrl, coverFee: true }),
  });
  expect(response.status).toBe(201);
  return (await response.json()) as Embedded;
};

describe("Stripe.js's embedded Checkout (the simulator's stand-in) in Chromium", () => {
  it('mounts the form in the article, pays in its frame and brings the donor back to the article with the session', async () => {
    const page = await env.browser.newPage();
    await page.goto(`${env.server.siteUrl}/`);
    const started = await startEmbedded(page.url());
    // What the host page does: load Stripe.js when the donor chooses to pay, then mount the form.
    const refusals = await page.evaluate(async ({ stripeJsUrl, publishableKey, clientSecret }) => {
      await new Promise((resolve, reject) => {
        const script = document.createElement('script');
        script.src = stripeJsUrl;
        script.onload = resolve;
        script.onerror = reject;
        document.head.append(script);
      });
      const holder = document.createElement('div');
      holder.id = 'pay';
      document.body.prepend(holder);
      const stripe = (window as unknown as { Stripe: (key: string) => Record<string, (o: unknown) => Promise<{ mount: (t: string) => void }>> }).Stripe(publishableKey);
      const refused = async (run: () => unknown) => {
        try {
          await run();
          return 'accepted';
        } catch (error) {
          return `${(error as Error).name}: ${(error as Error).message}`;
        }
      };
      const wrongSecret = await refused(() => stripe.createEmbeddedCheckoutPage?.({ fetchClientSecret: async () => `${clientSecret}x` }));
      const checkout = await stripe.createEmbeddedCheckoutPage?.({ fetchClientSecret: async () => clientSecret });
      const second = await refused(() => stripe.initEmbeddedCheckout?.({ fetchClientSecret: async () => clientSecret }));
      checkout?.mount('#pay');
      const twice = await refused(() => checkout?.mount('#pay'));
      return { wrongSecret, second, twice };
    }, started);
    expect(refusals).toEqual({
      wrongSecret: 'IntegrationError: No such checkout session for this client secret.',
      second: 'IntegrationError: You cannot have multiple embedded checkout items.',
      twice: 'IntegrationError: This embedded Checkout is already mounted.',
    });

    const form = page.frameLocator('#pay iframe');
    await expect(form.locator('h1').textContent()).resolves.toBe('Pay $26.06');
    await form.getByLabel('Email').fill('embedded.donor@example.org');
    // Every address the article's page is loaded at: Stripe's return names the session, and the embed then takes the
    // parameter off the address (docs/embedding.md), so it is checked as the page arrived, not as it is after.
    const arrivals: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) arrivals.push(frame.url());
    });
    await form.getByRole('button', { name: 'Pay' }).click();
    await expect.poll(() => arrivals.find((url) => url.includes('appeal_checkout='))).toBeDefined();
    const returned = new URL(arrivals.find((url) => url.includes('appeal_checkout=')) ?? '');
    expect(returned.origin).toBe(new URL(env.server.siteUrl).origin);
    expect(returned.searchParams.get('appeal_checkout')).toBe(started.id);

    // The secret is spent: Stripe.js cannot open the same session again.
    const again = await page.evaluate(async ({ publishableKey, clientSecret, stripeJsUrl }) => {
      await new Promise((resolve) => {
        const script = document.createElement('script');
        script.src = stripeJsUrl;
        script.onload = resolve;
        document.head.append(script);
      });
      const stripe = (window as unknown as { Stripe: (key: string) => { createEmbeddedCheckoutPage: (o: unknown) => Promise<unknown> } }).Stripe(publishableKey);
      return stripe.createEmbeddedCheckoutPage({ fetchClientSecret: async () => clientSecret }).then(
        () => 'accepted',
        (error: Error) => error.message,
      );
    }, started);
    expect(again).toBe('This Checkout Session is complete: it can no longer be paid.');
    const receipts = (await env.server.mailTo('embedded.donor@example.org')).filter((m) => m.subject.startsWith('Thank you'));
    expect(receipts).toHaveLength(1);
    await page.close();
  });
});
