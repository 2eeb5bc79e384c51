import { describe, expect, it } from 'vitest';
import { alreadySubscribedEmail, confirmationEmail, receiptEmail, welcomeEmail } from '../../../../functions/core/mail/emails.js';
import { processMailJob } from '../../../../functions/core/mail/mail.js';
import { MailIntent } from '../../../../functions/core/mail/model.js';
import { hasControlCharacters } from '../../../../functions/core/shared/email-address.js';
import { makeSubscriptionDeps } from '../../../support/fakes.js';

const context = {
  siteName: 'Example <News>',
  to: 'reader@example.org',
  name: '<script>alert(1)</script> & Co',
  unsubscribeUrl: 'https://api.example.org/v1/subscriptions/unsubscribe?token=v1.abc&x=1',
};

describe('email templates', () => {
  const all = [
    confirmationEmail({ ...context, confirmUrl: 'https://api.example.org/v1/subscriptions/confirm?token=v1.def', validDays: 7 }),
    welcomeEmail(context),
    alreadySubscribedEmail(context),
  ];

  it('carry one-click unsubscribe headers (RFC 8058) and a visible link in both parts', () => {
    for (const email of all) {
      expect(email.headers).toEqual({
        'List-Unsubscribe': `<${context.unsubscribeUrl}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      });
      expect(email.text).toContain(`Unsubscribe: ${context.unsubscribeUrl}`);
      expect(email.html).toContain('href="https://api.example.org/v1/subscriptions/unsubscribe?token=v1.abc&amp;x=1"');
    }
  });

  it('escape names and site name in HTML but keep them readable in text', () => {
    const welcome = welcomeEmail(context);
    expect(welcome.html).not.toContain('<script>');
    expect(welcome.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(welcome.text).toContain('Hello <script>alert(1)</script> & Co,');
    for (const email of all) expect(email.html).toContain('Example &lt;News&gt;');
  });

  it('carry no text the requester typed in mail sent before the address is confirmed (no spam relay)', () => {
    const spam = { ...context, name: 'Ann, your account is locked: visit http://evil.example/login' };
    const unconfirmed = [
      confirmationEmail({ ...spam, confirmUrl: 'https://api.example.org/v1/subscriptions/confirm?token=v1.def', validDays: 7 }),
      alreadySubscribedEmail(spam),
    ];
    for (const email of unconfirmed) {
      for (const part of [email.subject, email.text, email.html]) {
        expect(part).not.toContain('evil.example');
        expect(part).not.toContain('Ann');
      }
      expect(email.text.startsWith('Hello,\n')).toBe(true);
    }
  });

  it('put the confirmation link and its validity in the confirmation', () => {
    const [confirmation] = all;
    expect(confirmation?.subject).toBe('Please confirm your subscription to Example <News>');
    expect(confirmation?.text).toContain('https://api.example.org/v1/subscriptions/confirm?token=v1.def');
    expect(confirmation?.text).toContain('within 7 days');
    expect(confirmation?.html).toContain('href="https://api.example.org/v1/subscriptions/confirm?token=v1.def"');
  });

  it('greet without a name when none was given', () => {
    expect(welcomeEmail({ ...context, name: undefined }).text.startsWith('Hello,\n')).toBe(true);
  });
});

describe('the Subject of an email', () => {
  const receipt = (campaignTitle: string, siteName = 'Example News') =>
    receiptEmail({
      to: 'donor@example.org',
      siteName,
      charityName: 'Example Charity',
      charityRegistration: '1234567',
      campaignTitle,
      amount: 2500,
      currency: 'usd',
      monthly: false,
      paidAt: '2026-11-25T10:00:00.000Z',
      reference: 'pi_1',
    });
  const breaking = ['\r\n', '\n', '\r', '\u0000', '\u0085', '\u2028', '\u2029', '\r\n\r\n'];
  const codeOf = (s: string) => [...s].map((c) => `U+${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`).join(' ');

  it.each(breaking.map((c) => [codeOf(c), c]))('of a receipt is one line even when a stored campaign title holds %s', (_name, c) => {
    const email = receipt(`Spring appeal${c}Bcc: someone@example.org`);
    expect(email.subject).toBe('Thank you for your gift to Spring appeal Bcc: someone@example.org');
    expect(email.text).toContain('Campaign: Spring appeal Bcc: someone@example.org\n');
  });

  it('of every email is one line, whatever the site name holds', () => {
    const site = 'Example\r\nNews';
    const all = [
      receipt('Spring appeal', site),
      confirmationEmail({ ...context, siteName: site, confirmUrl: 'https://api.example.org/c', validDays: 7 }),
      welcomeEmail({ ...context, siteName: site }),
      alreadySubscribedEmail({ ...context, siteName: site }),
    ];
    for (const email of all) expect(hasControlCharacters(email.subject), email.subject).toBe(false);
    expect(all[1]?.subject).toContain('Example News');
  });

  it('of a queued receipt whose title holds a line break is one line when the worker sends it', async () => {
    const t = makeSubscriptionDeps();
    const gift = { reference: 'pi_1', email: 'donor@example.org', campaignTitle: 'Spring\r\nBcc: someone@example.org', amount: 2500, currency: 'usd', monthly: false, paidAt: '2026-11-25T10:00:00.000Z' };
    const job = MailIntent.parse(JSON.parse(JSON.stringify({ kind: 'receipt', id: 'r1', gift })));
    expect(await processMailJob(t.mailDeps, job)).toBe('sent');
    expect(t.mailer.sent[0]?.subject).toBe('Thank you for your gift to Spring Bcc: someone@example.org');
  });
});
