import type { ServerResponse } from 'node:http';
import { html as honoHtml } from 'hono/html';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { Campaign } from '../../../../functions/core/donations/model.js';
import { campaignEndedPage, donateChooserPage, donationErrorPage, donationThanksPage } from '../../../../functions/core/donations/pages.js';
import { alreadySubscribedEmail, confirmationEmail, type MailSender, receiptEmail, welcomeEmail } from '../../../../functions/core/mail/emails.js';
import { pagePolicy } from '../../../../functions/core/shared/page-policy.js';
import { errorPage } from '../../../../functions/core/shared/pages.js';
import { fillHtml, html, join, raw, render } from '../../../../functions/core/shared/template.js';
import {
  confirmedPage,
  confirmPromptPage,
  invalidConfirmLinkPage,
  signupFormPage,
  thanksPage,
  unsubscribedPage,
  unsubscribePromptPage,
} from '../../../../functions/core/subscriptions/pages.js';
import { emailPage, inboxPage } from '../../../../local/server/outbox-pages.js';
import { checkoutPage, portalPage } from '../../../../local/stand-ins/stripe/pages.js';
import { StripeStore } from '../../../../local/stand-ins/stripe/state.js';
import { embedSnippet } from '../../../../web/embed/snippet.js';
import { testBrand } from '../../../support/brand.js';
import { campaignSettings } from '../../../support/donation-fakes.js';
import { stripeFixtures } from '../../../support/stripe-fixtures.js';

/** Text that would run a script, or leave an attribute and add one, if it reached a page unescaped. */
const HOSTILE = `<script>alert(1)</script>" onmouseover="alert(2)' & Co`;
const ESCAPED = '&lt;script&gt;alert(1)&lt;/script&gt;&quot; onmouseover=&quot;alert(2)&#39; &amp; Co';

/** The hostile text is shown, as text, and never as markup. */
const expectEscaped = (markup: string) => {
  expect(markup).toContain(ESCAPED);
  expect(markup).not.toContain('<script>alert');
  expect(markup).not.toContain('onmouseover="');
  expect(markup).not.toContain("alert(2)'");
  expect(markup).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/); // every & written as an entity, none bare
};

const campaign = (overrides: Partial<Campaign> = {}): Campaign => ({
  ...campaignSettings({ id: 'spring', title: `Spring ${HOSTILE}` }),
  shards: 4,
  raised: 4750,
  donations: 1,
  donors: 1,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-02T00:00:00.000Z',
  ...overrides,
});

describe('the template', () => {
  it('escapes text as Hono does: & < > " \' each as its entity', () => {
    for (const text of [HOSTILE, '', 'plain', '&amp;', '"\'<>&', 'a\u00a0b ü 🙂']) {
      expect(render(html`<p title="${text}">${text}</p>`)).toBe(String(honoHtml`<p title="${text}">${text}</p>`));
    }
    expect(render(html`${HOSTILE}`)).toBe(ESCAPED);
  });

  it('passes markup through, joins lists, writes numbers and leaves out false, null and undefined', () => {
    const item = html`<li>${'<b>'}</li>`;
    expect(render(html`<ul>${[item, [item]]}</ul>${false}${null}${undefined}${0}${12.5}`)).toBe('<ul><li>&lt;b&gt;</li><li>&lt;b&gt;</li></ul>012.5');
    expect(render(join([html`<br>`, 'a&b', 3], '\n'))).toBe('<br>\na&amp;b\n3');
    expect(render(html`<script>${raw("document.getElementById('auto').submit();")}</script>`)).toBe("<script>document.getElementById('auto').submit();</script>");
  });

  it('fills a message: its words and text values escaped, markup values as they are, unknown placeholders left', () => {
    expect(render(fillHtml('Join <{site}> & {amount}, {n} times {missing}', { site: HOSTILE, amount: html`<strong>$5</strong>`, n: 2 }))).toBe(
      `Join &lt;${ESCAPED}&gt; &amp; <strong>$5</strong>, 2 times {missing}`,
    );
  });
});

describe('every page, in English and in Ukrainian, with hostile text from the brand, the campaign and the reader', () => {
  const brands = ['en', 'uk'].map((lang) =>
    testBrand(`Example ${HOSTILE}`, {
      siteUrl: `https://news.example.org/?q=${HOSTILE}`,
      logoUrl: `https://cdn.example.org/logo.svg?v=${HOSTILE}`,
      iconUrl: `https://api.example.org/favicon.ico?v=${HOSTILE}`,
      lang,
    }),
  );
  const problem = { message: `Bad ${HOSTILE}`, field: 'email' };
  const values = { email: `reader${HOSTILE}@example.org`, name: `Dana ${HOSTILE}`, lists: [`news${HOSTILE}`], source: `https://news.example.org/?a=${HOSTILE}` };
  const pages = (site: (typeof brands)[number]): Record<string, string> => ({
    confirmPrompt: confirmPromptPage(site, `https://api.example.org/v1/subscriptions/confirm?token=${HOSTILE}`),
    confirmed: confirmedPage(site),
    unsubscribePrompt: unsubscribePromptPage(site, `https://api.example.org/v1/subscriptions/unsubscribe?token=${HOSTILE}`),
    unsubscribed: unsubscribedPage(site),
    thanks: thanksPage(site),
    invalidLink: invalidConfirmLinkPage(site, { message: `Bad ${HOSTILE}` }, `https://api.example.org/${HOSTILE}`, `reader${HOSTILE}@example.org`),
    signupForm: signupFormPage(site, `https://api.example.org/${HOSTILE}`, values, problem),
    signupFormWait: signupFormPage(site, '/v1/subscriptions', values, { message: HOSTILE, retryAfterSeconds: 30 }),
    error: errorPage(site, 400, `Bad ${HOSTILE}`, { field: 'email' }),
    notFound: errorPage(site, 404, HOSTILE),
    chooser: donateChooserPage(site, `https://api.example.org/${HOSTILE}`, campaign(), {
      frequency: 'monthly',
      customAmount: HOSTILE,
      subscribe: true,
      cancelled: true,
      error: { message: `Please choose an amount between $1.00 and $1,000.00. ${HOSTILE}` },
    }),
    ended: campaignEndedPage(site, campaign({ open: false })),
    paid: donationThanksPage(site, { status: 'paid', amount: `$25 ${HOSTILE}`, monthly: true, campaignTitle: HOSTILE, manageUrl: `https://api.example.org/m?${HOSTILE}` }),
    processing: donationThanksPage(site, { status: 'processing', amount: HOSTILE, monthly: false, campaignTitle: HOSTILE }),
    unpaid: donationThanksPage(site, { status: 'unpaid', chooseUrl: `https://api.example.org/v1/donate?${HOSTILE}`, campaignTitle: HOSTILE }),
    donationError: donationErrorPage(site, HOSTILE, `https://api.example.org/v1/donate?${HOSTILE}`),
  });

  for (const site of brands) {
    for (const [name, markup] of Object.entries(pages(site))) {
      it(`escapes it on the ${name} page (${site.lang})`, () => {
        expectEscaped(markup);
        expect(markup).toContain(`<title>`);
        expect(markup).toContain(`<span>Example ${ESCAPED}</span>`);
        // The only script a page carries is the confirmation prompt's own (allowed by its hash).
        expect(markup.match(/<script/g)?.length ?? 0).toBe(name === 'confirmPrompt' ? 1 : 0);
        // The policy reads the logo's origin from the escaped attribute, and nothing of the hostile text.
        expect(pagePolicy(markup)).toContain("img-src 'self' https://cdn.example.org;");
      });
    }
  }

  it('escapes a campaign title in the chooser and ended pages, and what a reader typed in the forms', () => {
    const [english] = brands;
    if (!english) throw new Error('no brand');
    const all = pages(english);
    expect(all.chooser).toContain(`<title>Error: Give to Spring ${ESCAPED} · Example ${ESCAPED}</title>`);
    expect(all.chooser).toContain('value="&lt;script&gt;alert(1)&lt;/sc"'); // the amount as typed, its first 20 characters
    expect(all.ended).toContain(`Spring ${ESCAPED} is no longer taking gifts.`);
    expect(all.signupForm).toContain(`value="Dana ${ESCAPED}"`);
    expect(all.signupForm).toContain(`<input type="hidden" name="lists" value="news${ESCAPED}">`);
    expect(all.invalidLink).toContain(`value="reader${ESCAPED}@example.org"`);
  });
});

describe('every email, in English and in Ukrainian, with hostile text from the site, the sender, the reader and the campaign', () => {
  const sender: MailSender = {
    name: `Media ${HOSTILE}`,
    postalAddress: `1 Street ${HOSTILE}`,
    siteUrl: `https://news.example.org/?q=${HOSTILE}`,
    logoUrl: `https://cdn.example.org/logo.svg?v=${HOSTILE}`,
    color: '#13294b',
    accent: '#b22234',
  };
  for (const lang of ['en', 'uk']) {
    const context = { siteName: `Example ${HOSTILE}`, to: 'reader@example.org', name: `Dana ${HOSTILE}`, unsubscribeUrl: `https://api.example.org/u?${HOSTILE}`, sender, lang };
    const emails = {
      confirmation: confirmationEmail({ ...context, confirmUrl: `https://api.example.org/c?${HOSTILE}`, validDays: 7 }),
      welcome: welcomeEmail(context),
      alreadySubscribed: alreadySubscribedEmail(context),
      receipt: receiptEmail({
        to: 'donor@example.org',
        name: `Dana ${HOSTILE}`,
        siteName: `Example ${HOSTILE}`,
        charityName: `Charity ${HOSTILE}`,
        charityRegistration: HOSTILE,
        campaignTitle: `Spring ${HOSTILE}`,
        amount: 2500,
        currency: 'usd',
        monthly: true,
        paidAt: '2026-11-25T10:00:00.000Z',
        reference: HOSTILE,
        manageUrl: `https://api.example.org/m?${HOSTILE}`,
        sender,
        lang,
      }),
    };
    for (const [name, email] of Object.entries(emails)) {
      it(`escapes it in the ${name} email (${lang})`, () => {
        expectEscaped(email.html);
        expect(email.html).not.toContain('<script');
        expect(email.html).toContain(`<span style="vertical-align:middle">Example ${ESCAPED}</span>`);
        expect(email.html).toContain(`Media ${ESCAPED} · 1 Street ${ESCAPED}`);
        expect(email.subject).toContain(HOSTILE); // the subject is plain text; its HTML title escapes it
        expect(email.html.match(/<title>([^<]*)<\/title>/)?.[1]).toContain(ESCAPED);
      });
    }
  }
});

describe('the embed snippet and the dev server outbox', () => {
  it('escape the site name, campaign and list in the no-JavaScript HTML', () => {
    const snippet = embedSnippet({
      api: `https://api.example.org/${HOSTILE}`,
      script: { version: 'v1', integrity: 'sha384-abc' },
      siteName: `Example ${HOSTILE}`,
      campaign: { id: 'spring', title: `Spring ${HOSTILE}`, currency: 'usd', suggestedAmounts: [1000] },
      list: `news${HOSTILE}`,
    });
    for (const part of [snippet.script, snippet.banner ?? '', snippet.signup ?? '']) {
      expectEscaped(part);
      expect(part.match(/<script/g)?.length ?? 0).toBe(part === snippet.script ? 1 : 0);
    }
    expect(snippet.banner).toContain(`data-site-name="Example ${ESCAPED}"`);
    expect(snippet.signup).toContain(`<input type="hidden" name="lists" value="news${ESCAPED}">`);
  });

  it('escape a mail subject, addresses and headers, and the mail itself in the frame', () => {
    const email = {
      id: 'm1',
      at: '2026-11-25T10:00:00.000Z',
      from: `sender${HOSTILE}@example.org`,
      to: [`reader${HOSTILE}@example.org`],
      subject: `Hello ${HOSTILE}`,
      headers: { 'List-Unsubscribe': `<https://api.example.org/u?${HOSTILE}>` },
      text: `Visit https://news.example.org/a?b=1&c=2 ${HOSTILE}`,
      html: `<p>${HOSTILE}</p>`,
    };
    for (const markup of [inboxPage([email]), emailPage(email)]) expectEscaped(markup);
    const page = emailPage(email);
    expect(page).toContain('<a href="https://news.example.org/a?b=1&amp;c=2">https://news.example.org/a?b=1&amp;c=2</a>');
    // The mail's own HTML is the sandboxed frame's document, as an attribute value.
    expect(page).toContain('srcdoc="&lt;base target=&quot;_top&quot;&gt;&lt;p&gt;&lt;script&gt;alert(1)');
  });

  it("escape what the Stripe simulator's Checkout and Customer Portal pages show", () => {
    const fixtures = stripeFixtures();
    const store = new StripeStore('/nonexistent/appeal-stripe-state.json');
    const session = { ...fixtures['checkout.session'], id: 'cs_1', status: 'open', amount_total: 2500, currency: 'usd', mode: 'payment', customer_email: `donor${HOSTILE}` } as Stripe.Checkout.Session;
    store.state.sessions.cs_1 = session;
    store.state.checkouts.cs_1 = { productName: `Gift to ${HOSTILE}`, unitAmount: 2500, quantity: 1, paymentIntentMetadata: {}, subscriptionMetadata: {} };
    store.state.customers.cus_1 = { ...fixtures.customer, id: 'cus_1', email: `donor${HOSTILE}` } as Stripe.Customer;
    store.state.portalSessions.bps_1 = { ...fixtures['billing_portal.session'], id: 'bps_1', customer: 'cus_1', return_url: `https://news.example.org/?q=${encodeURIComponent(HOSTILE)}&a=1` } as Stripe.BillingPortal.Session;
    const bodies: string[] = [];
    const res = { writeHead: () => res, end: (body: string) => bodies.push(body) } as unknown as ServerResponse;
    checkoutPage(store, res, 'cs_1');
    portalPage(store, res, 'bps_1');
    const [checkout = '', portal = ''] = bodies;
    expectEscaped(checkout);
    expect(checkout).toContain(`value="donor${ESCAPED}"`);
    expect(portal).toContain(` for donor${ESCAPED}:`);
    expect(portal).toContain('?q=%3Cscript%3E');
    expect(portal).not.toMatch(/&(?!(amp|lt|gt|quot|#39);)/);
  });
});
