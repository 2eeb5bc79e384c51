import { describe, expect, it } from 'vitest';
import { saveCampaign } from '../../../../functions/core/donations/campaigns.js';
import type { Campaign } from '../../../../functions/core/donations/model.js';
import { campaignEndedPage, donateChooserPage, donationErrorPage, donationThanksPage, exactMoney } from '../../../../functions/core/donations/pages.js';
import { giftAmount } from '../../../../functions/core/donations/thanks.js';
import { messagesOf } from '../../../../functions/core/shared/i18n/catalogue.js';
import { fill, formatAmount } from '../../../../functions/core/shared/i18n/format.js';
import { alreadySubscribedEmail, confirmationEmail, type MailSender, receiptEmail, welcomeEmail } from '../../../../functions/core/mail/emails.js';
import { faviconIco, faviconPixels } from '../../../../functions/core/shared/favicon.js';
import { type Brand, toBrand } from '../../../../functions/core/shared/brand.js';
import { page } from '../../../../functions/core/shared/page-shell.js';
import { pagePolicy } from '../../../../functions/core/shared/page-policy.js';
import { contrastRatio, textOn } from '../../../../functions/core/shared/palette.js';
import { stylesheet } from '../../../../functions/core/shared/stylesheet.js';
import { waitInWords } from '../../../../functions/core/shared/words.js';
import { errorPage } from '../../../../functions/core/shared/pages.js';
import { html as markup } from '../../../../functions/core/shared/template.js';
import { signupFormPage } from '../../../../functions/core/subscriptions/pages.js';
import { campaignSettings, MemoryCampaigns } from '../../../support/donation-fakes.js';
import { FakeClock } from '../../../support/fakes.js';

const brand: Brand = {
  siteName: 'Example <News>',
  siteUrl: 'https://news.example.org/',
  logoUrl: 'https://cdn.news.example.org/logo.svg',
  color: '#13294b',
  accent: '#b22234',
  iconUrl: 'https://api.example.org/favicon.ico',
};

const campaign = (overrides: Partial<Campaign> = {}): Campaign => ({
  ...campaignSettings({ id: 'spring', title: 'Spring appeal', suggestedAmounts: [1000, 2500] }),
  shards: 4,
  raised: 4750,
  donations: 1,
  donors: 1,
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-02T00:00:00.000Z',
  ...overrides,
});

/** The element whose id the field's aria-describedby names, with its text. */
const describedBy = (html: string, inputId: string) => {
  const input = html.match(new RegExp(`<input id="${inputId}"[^>]*>`))?.[0] ?? '';
  const ids = input.match(/aria-describedby="([^"]+)"/)?.[1]?.split(' ') ?? [];
  return { input, texts: ids.map((id) => html.match(new RegExp(`id="${id}"[^>]*>([^<]*)<`))?.[1]) };
};

describe('the hosted pages', () => {
  it('share one stylesheet in the brand colours, a masthead linking home and a way back in the footer', () => {
    const html = page('Hello', markup`<p>Body</p>`, brand);
    expect(html).toContain('<link rel="stylesheet" href="/v1/site.css">');
    expect(html).not.toContain('<style>');
    expect(stylesheet(brand)).toContain('--brand:#13294b');
    expect(stylesheet(brand)).toContain('--accent:#b22234');
    expect(html).toContain('<header class="masthead"><a href="https://news.example.org/"><img src="https://cdn.news.example.org/logo.svg" alt="" height="36"><span>Example &lt;News&gt;</span></a></header>');
    expect(html).toContain('<footer class="foot"><p><a href="https://news.example.org/">Back to Example &lt;News&gt;</a></p></footer>');
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('<link rel="icon" href="https://api.example.org/favicon.ico">');
    expect(html).not.toContain('style="'); // the policy allows the stylesheet by hash, so no inline style attributes
  });

  it('keep text readable whatever colours a stage configures', () => {
    expect(textOn('#13294b')).toBe('#ffffff');
    expect(textOn('#ffd500')).toBe('#1a1a1a');
    const pale = stylesheet({ ...brand, color: '#fafafa', accent: '#ffee00' });
    expect(pale).toContain('--on-brand:#1a1a1a');
    expect(pale).toContain('--link:#1a1a1a'); // headings and links on white fall back to near-black
    expect(contrastRatio('#b22234', '#ffffff')).toBeGreaterThan(4.5);
    // Anything but #rrggbb never reaches the stylesheet.
    expect(toBrand({ ...brand, color: 'red;}body{display:none' }).color).toBe('#13294b');
  });

  it('are served under a policy that allows their stylesheet from our origin, the logo by origin, and nothing inline', () => {
    const html = page('Hello', markup`<p>Body</p>`, brand);
    const policy = pagePolicy(html, { formAction: ["'self'", 'https://checkout.stripe.com'] });
    expect(policy).toContain("style-src 'self'");
    expect(pagePolicy('<style>p{color:red}</style>')).toContain("style-src 'none'");
    expect(policy).not.toContain('unsafe-inline');
    expect(policy).toContain("img-src 'self' https://cdn.news.example.org");
    expect(policy).toContain("form-action 'self' https://checkout.stripe.com");
    expect(policy).toContain("default-src 'none'");
  });

  it('say how long to wait on a rate-limited page, in words', () => {
    expect(waitInWords(1)).toBe('1 second');
    expect(waitInWords(45)).toBe('45 seconds');
    expect(waitInWords(60)).toBe('1 minute');
    expect(waitInWords(61)).toBe('2 minutes');
    expect(waitInWords(7200)).toBe('about 2 hours');
    const html = errorPage(brand, 429, 'Too many requests. Please try again later.', { retryAfterSeconds: 120 });
    expect(html).toContain('<h1>Please wait a moment</h1>');
    expect(html).toContain('Please wait 2 minutes before you try again.');
  });

  it('name the field an error is about on a plain error page, and link back to the site', () => {
    const html = errorPage(brand, 400, 'Please enter a valid email address.', { field: 'email' });
    expect(html).toContain('There is a problem with the email address: Please enter a valid email address.');
    expect(html).toContain('<title>Error: Please check your details · Example &lt;News&gt;</title>');
    expect(html).toContain('<a class="button" href="https://news.example.org/">Back to Example &lt;News&gt;</a>');
    expect(errorPage(brand, 404, 'There is nothing at this address.')).toContain('<h1>Page not found</h1>');
  });
});

describe('the no-JavaScript signup error page', () => {
  const values = { email: 'reader@@example.org', name: 'Dana <b>', lists: ['news', 'events'], source: 'https://news.example.org/article?a=1&b=2' };

  it('names the problem in words, ties it to the field and keeps what was typed', () => {
    const html = signupFormPage(brand, 'https://api.example.org/v1/subscriptions', values, { message: 'Please enter a valid email address.', field: 'email' });
    const { input, texts } = describedBy(html, 'email');
    expect(input).toContain('aria-invalid="true"');
    expect(input).toContain('value="reader@@example.org"');
    expect(input).toContain('autofocus');
    expect(texts).toEqual(['Please enter a valid email address.']);
    expect(html).toContain('<h1>Please check your email address</h1>');
    expect(html).toContain('<a href="#email">There is a problem with your email address: Please enter a valid email address.</a>');
    expect(html).toContain('<input id="name" name="name" type="text" autocomplete="name" maxlength="100" value="Dana &lt;b&gt;">');
    expect(html).toContain('<input type="hidden" name="lists" value="news">');
    expect(html).toContain('<input type="hidden" name="lists" value="events">');
    expect(html).toContain('<input type="hidden" name="source" value="https://news.example.org/article?a=1&amp;b=2">');
    expect(html).toContain('<form method="post" action="https://api.example.org/v1/subscriptions" novalidate>');
  });

  it('ties a name error to the name field, not the address', () => {
    const html = signupFormPage(brand, '/v1/subscriptions', { ...values, email: 'reader@example.org' }, { message: 'At most 100 characters.', field: 'name' });
    expect(describedBy(html, 'name').texts).toEqual(['At most 100 characters.']);
    expect(describedBy(html, 'email').input).not.toContain('aria-invalid');
  });

  it('says how long to wait when the form was sent too often, keeping the address', () => {
    const html = signupFormPage(brand, '/v1/subscriptions', values, { message: 'Too many requests.', retryAfterSeconds: 42 });
    expect(html).toContain('<h1>Please wait a moment</h1>');
    expect(html).toContain('Please wait 42 seconds before you try again');
    expect(html).toContain('value="reader@@example.org"');
  });
});

describe('the donation chooser', () => {
  it('offers the suggested amounts, another amount and an unticked newsletter box in one form', () => {
    const html = donateChooserPage(brand, 'https://api.example.org', campaign(), 'once');
    expect(html).toContain('<strong>$47.50</strong> raised of $10,000 goal · 1\u00a0donor');
    expect(html).toContain('<button type="submit" name="amount" value="1000" formnovalidate>$10</button>');
    expect(html).toContain('<input type="checkbox" name="subscribe" value="true">');
    expect(html).toContain('<progress max="1000000" value="4750" aria-labelledby="progress-label">');
    // Enter in the amount field submits the typed amount, not the first suggested one.
    expect(html.indexOf('class="default-submit"')).toBeLessThan(html.indexOf('name="amount"'));
  });

  it('comes back with the error at the amount and the amount as typed', () => {
    const html = donateChooserPage(brand, 'https://api.example.org', campaign(), {
      frequency: 'monthly',
      customAmount: '0.50',
      subscribe: true,
      error: { message: 'Please choose an amount between $1.00 and $1,000.00.', field: 'amount' },
    });
    const { input, texts } = describedBy(html, 'custom_amount');
    expect(input).toContain('value="0.50"');
    expect(input).toContain('aria-invalid="true"');
    expect(texts).toEqual(['From $1 to $100,000, for example 25 or 12.50.', 'Please choose an amount between $1.00 and $1,000.00.']);
    expect(html).toContain('<input type="radio" name="frequency" value="monthly" checked>');
    expect(html).toContain('<input type="checkbox" name="subscribe" value="true" checked>');
    expect(html).toContain('<title>Error: Give to Spring appeal');
  });

  it('says when the donor cancelled at Checkout', () => {
    const html = donateChooserPage(brand, 'https://api.example.org', campaign(), { frequency: 'once', cancelled: true });
    expect(html).toContain('You cancelled your payment, and you have not been charged.');
  });

  it('says a closed campaign has ended, with its final total, and offers nothing to press but the way home', () => {
    const html = donateChooserPage(brand, 'https://api.example.org', campaign({ open: false, raised: 123450, donors: 3, donations: 4 }), 'once');
    expect(html).toBe(campaignEndedPage(brand, campaign({ open: false, raised: 123450, donors: 3, donations: 4 })));
    expect(html).toContain('<h1>This appeal has ended</h1>');
    expect(html).toContain('Spring appeal is no longer taking gifts.');
    expect(html).toContain('<strong>$1,234.50</strong> raised of the $10,000 goal, from 3\u00a0donors and 4\u00a0gifts.');
    expect(html).not.toMatch(/<form|<button/);
  });

  it('writes amounts exactly, without a needless .00', () => {
    expect(exactMoney(4750, 'usd')).toBe('$47.50');
    expect(exactMoney(5_000_000, 'usd')).toBe('$50,000');
    expect(exactMoney(2500, 'jpy')).toBe('¥2,500');
  });
});

describe('the donation pages in another language', () => {
  const uk: Brand = { ...brand, lang: 'uk' };
  const money = (minor: number) => formatAmount('uk', minor, 'usd');

  it('offer the chooser in Ukrainian, with amounts in its notation and the language carried by the form', () => {
    const html = donateChooserPage(uk, 'https://api.example.org', campaign(), 'once');
    expect(html).toContain('<html lang="uk">');
    expect(html).toContain('<title>Підтримайте збір «Spring appeal»');
    expect(html).toContain(`<strong>${money(4750)}</strong>`);
    expect(html).toContain(`formnovalidate>${money(1000)}</button>`);
    expect(html).toContain('<input type="hidden" name="lang" value="uk">');
    expect(html).toContain('<legend>Як часто</legend>');
    expect(describedBy(html, 'custom_amount').texts[0]).toBe(`Від ${money(100)} до ${money(10_000_000)}, наприклад 25 або 12,50.`);
    expect(html).not.toMatch(/Choose an amount|Continue to payment/);
  });

  it('word a refused amount in Ukrainian, with the range in its notation, not the API\'s English', () => {
    const html = donateChooserPage(uk, 'https://api.example.org', campaign(), { frequency: 'once', customAmount: '0,5', error: { message: 'Please choose an amount between $1.00 and $100,000.00.', field: 'amount' } });
    const wording = fill(messagesOf('uk').donations.problems.amount, { min: money(100), max: money(10_000_000) });
    expect(describedBy(html, 'custom_amount').texts[1]).toBe(wording);
    expect(wording).toContain(money(10_000_000));
    expect(html).not.toContain('Please choose');
    expect(html).toContain('value="0,5"');
  });

  it('say that an appeal has ended, and thank for a gift, in Ukrainian', () => {
    const ended = campaignEndedPage(uk, campaign({ open: false, donors: 3, donations: 5 }));
    expect(ended).toContain('<h1>Цей збір завершено</h1>');
    expect(ended).toContain('3\u00a0донори');
    const thanks = donationThanksPage(uk, { status: 'paid', amount: giftAmount('uk', 2500, 'usd'), monthly: true, campaignTitle: 'Spring appeal', manageUrl: 'https://api.example.org/m?token=t&lang=uk' });
    expect(thanks).toContain(`Ваш щомісячний внесок у розмірі ${money(2500)} на збір «Spring appeal» отримано.`);
    expect(thanks).toContain('<a href="https://api.example.org/m?token=t&amp;lang=uk">керувати щомісячним внеском</a>');
    expect(giftAmount('en', 2500, 'usd')).toBe('$25.00');
  });

  it('explain a donation link it could not follow in Ukrainian', () => {
    const html = donationErrorPage(uk, 'This campaign does not exist or no longer takes gifts.', 'https://api.example.org/v1/donate?campaign=spring&lang=uk');
    expect(html).toContain('<html lang="uk">');
    expect(html).not.toContain('This campaign does not exist');
    expect(html).toContain('<a class="button" href="https://api.example.org/v1/donate?campaign=spring&amp;lang=uk">Виберіть суму</a>');
  });

  it('leave English pages as they were, but for the language their form carries to the next page', () => {
    const english = donateChooserPage(brand, 'https://api.example.org', campaign(), 'once');
    expect(donateChooserPage({ ...brand, lang: 'en' }, 'https://api.example.org', campaign(), 'once')).toBe(english);
    // An English reader on a site whose own language is another keeps English on the way to Checkout and back.
    expect(english).toContain('<input type="hidden" name="lang" value="en">');
    expect(english).toContain('Continue to payment');
  });
});

describe('the page Checkout returns to', () => {
  it('thanks for a paid gift, with the manage link for a monthly one', () => {
    const html = donationThanksPage(brand, { status: 'paid', amount: '$25.00', monthly: true, campaignTitle: 'Spring appeal', manageUrl: 'https://api.example.org/v1/donations/manage?token=t' });
    expect(html).toContain('Your monthly gift of $25.00 to Spring appeal has been received.');
    expect(html).toContain('<a href="https://api.example.org/v1/donations/manage?token=t">manage your monthly gift</a>');
  });

  it.each([
    [{ status: 'unpaid', chooseUrl: 'https://api.example.org/v1/donate?campaign=spring', campaignTitle: 'Spring appeal' } as const, 'Your gift was not completed'],
    [{ status: 'unknown' } as const, 'We could not find this payment'],
    [{ status: 'unavailable' } as const, 'We could not check your payment just now'],
    [undefined, 'We could not find this payment'],
  ])('claims no gift for a session that is not paid (%j)', (outcome, title) => {
    const html = donationThanksPage(brand, outcome);
    expect(html).toContain(`<h1>${title}</h1>`);
    expect(html).not.toMatch(/has been received|Thank you for your gift/);
  });

  it('offers the chooser again after an unpaid checkout', () => {
    const html = donationThanksPage(brand, { status: 'unpaid', chooseUrl: 'https://api.example.org/v1/donate?campaign=spring' });
    expect(html).toContain('you have not been charged');
    expect(html).toContain('<a class="button" href="https://api.example.org/v1/donate?campaign=spring">Choose an amount</a>');
  });
});

describe('campaign create', () => {
  const setup = async (open: boolean) => {
    const deps = { campaigns: new MemoryCampaigns(), clock: new FakeClock(), settings: { currencies: ['usd'] } };
    await deps.campaigns.saveSettings(campaignSettings({ id: 'spring', open }), deps.clock.now());
    return deps;
  };

  it('never reopens a closed campaign by updating it', async () => {
    const deps = await setup(false);
    const saved = await saveCampaign(deps, campaignSettings({ id: 'spring', title: 'Renamed', open: true }));
    expect(saved).toMatchObject({ title: 'Renamed', open: false });
  });

  it('reopens a closed campaign when asked to', async () => {
    const deps = await setup(false);
    expect(await saveCampaign(deps, campaignSettings({ id: 'spring', open: true }), { reopen: true })).toMatchObject({ open: true });
  });

  it('still opens a new campaign, and closes an open one when told', async () => {
    const deps = await setup(true);
    expect(await saveCampaign(deps, campaignSettings({ id: 'autumn', open: true }))).toMatchObject({ open: true });
    expect(await saveCampaign(deps, campaignSettings({ id: 'spring', open: false }))).toMatchObject({ open: false });
  });
});

describe('the emails', () => {
  const sender: MailSender = { name: 'Example Media Ltd', postalAddress: '1 Example Street, Springfield', siteUrl: 'https://news.example.org/', color: '#13294b', accent: '#b22234' };
  const confirmUrl = `https://api.example.org/v1/subscriptions/confirm?token=v1.${'x'.repeat(300)}`;
  const context = { siteName: 'Example News', to: 'reader@example.org', name: 'Dana', unsubscribeUrl: 'https://api.example.org/v1/subscriptions/unsubscribe?token=v1.abc', sender };
  const receipt = receiptEmail({
    to: 'donor@example.org',
    siteName: 'Example News',
    charityName: 'Example Charity',
    charityRegistration: '123',
    campaignTitle: 'Spring appeal',
    amount: 2500,
    currency: 'usd',
    monthly: true,
    paidAt: '2026-11-25T10:00:00.000Z',
    reference: 'pi_1',
    manageUrl: 'https://api.example.org/v1/donations/manage?token=m',
    sender,
  });
  const all = [confirmationEmail({ ...context, confirmUrl, validDays: 7 }), welcomeEmail(context), alreadySubscribedEmail(context), receipt];

  it('carry a masthead with the site name linking home, the sender and postal address, and a viewport', () => {
    for (const email of all) {
      expect(email.html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
      expect(email.html).toMatch(/<a href="https:\/\/news\.example\.org\/" style="[^"]*"><span[^>]*>Example News<\/span><\/a>/);
      expect(email.html).toContain('Example Media Ltd · 1 Example Street, Springfield');
      expect(email.text).toContain('Example Media Ltd, 1 Example Street, Springfield');
      expect(email.html).toContain('background:#13294b');
    }
  });

  it('fit a 360 px screen: one column of at most 600 px, long links wrap', () => {
    const [confirmation] = all;
    expect(confirmation?.html).toContain('max-width:600px');
    expect(confirmation?.html).toContain(`word-break:break-all">${confirmUrl}</a>`);
    for (const email of all) expect(email.html).toContain('overflow-wrap:anywhere');
  });

  it('keep the unsubscribe headers and the visible link of the contract; receipts keep the manage link', () => {
    for (const email of all.slice(0, 3)) {
      expect(email.headers['List-Unsubscribe']).toBe('<https://api.example.org/v1/subscriptions/unsubscribe?token=v1.abc>');
      expect(email.html).toMatch(/<a href="https:\/\/api\.example\.org\/v1\/subscriptions\/unsubscribe\?token=v1\.abc"[^>]*>Unsubscribe<\/a>/);
      expect(email.text).toContain('Unsubscribe: https://api.example.org/v1/subscriptions/unsubscribe?token=v1.abc');
    }
    expect(receipt.headers).toEqual({});
    expect(receipt.html).toContain('<a href="https://api.example.org/v1/donations/manage?token=m">Manage your monthly gift</a>');
    expect(receipt.text).toContain('Change the card or stop your monthly gift at any time: https://api.example.org/v1/donations/manage?token=m');
  });
});

describe('the favicon', () => {
  it('is a 32×32 icon file in the brand colours with the site initial', () => {
    const ico = faviconIco(brand);
    const view = new DataView(ico.buffer);
    expect([view.getUint16(0, true), view.getUint16(2, true), view.getUint16(4, true)]).toEqual([0, 1, 1]);
    expect([ico[6], ico[7], view.getUint16(12, true)]).toEqual([32, 32, 32]);
    expect(view.getUint32(14, true) + 22).toBe(ico.length);
    const pixels = faviconPixels(brand);
    const at = (x: number, y: number) => [...pixels.slice((y * 32 + x) * 4, (y * 32 + x) * 4 + 4)];
    expect(at(0, 0)[3]).toBe(0); // a rounded corner
    expect(at(4, 16)).toEqual([0x13, 0x29, 0x4b, 255]); // the brand colour
    expect(at(12, 27)).toEqual([0xb2, 0x22, 0x34, 255]); // the accent bar
    expect(at(10, 12)).toEqual([255, 255, 255, 255]); // the left stroke of the E
  });
});
