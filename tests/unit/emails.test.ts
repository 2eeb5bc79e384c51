import { describe, expect, it } from 'vitest';
import { alreadySubscribedEmail, confirmationEmail, welcomeEmail } from '../../functions/core/mail/emails.js';

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
