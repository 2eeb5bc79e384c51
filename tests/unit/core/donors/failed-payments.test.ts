import { describe, expect, it } from 'vitest';
import { recordPaymentEvent } from '../../../../functions/core/donations/gifts.js';
import type { PaymentEvent } from '../../../../functions/core/donations/model.js';
import { processMailJob } from '../../../../functions/core/mail/mail.js';
import { readManageToken } from '../../../../functions/core/shared/secrets.js';
import { makeGiftDeps } from '../../../support/donation-fakes.js';
import { testKeys } from '../../../support/fakes.js';
import { addressKey } from '../../../../functions/core/shared/email-address.js';

const at = new Date('2026-11-25T10:00:00.000Z');

const failed = (change: Partial<Extract<PaymentEvent, { kind: 'payment-failed' }>> = {}): PaymentEvent => ({
  kind: 'payment-failed',
  invoice: 'in_1',
  subscription: 'sub_1',
  campaign: 'ukraine',
  customer: 'cus_1',
  email: 'donor@example.org' as never,
  amount: 1500,
  currency: 'usd',
  lang: 'uk',
  willRetry: true,
  at,
  ...change,
});

const ended = (change: Partial<Extract<PaymentEvent, { kind: 'subscription' }>> = {}): PaymentEvent => ({
  kind: 'subscription',
  subscription: 'sub_1',
  status: 'ended',
  campaign: 'ukraine',
  at,
  endedFor: 'payment_failed',
  email: 'donor@example.org' as never,
  ...change,
});

/** Delivers what the webhook queued to the mail worker, as SQS does (every copy). */
const drain = async (env: Awaited<ReturnType<typeof makeGiftDeps>>) => {
  for (const job of env.queue.take()) await processMailJob(env.mailDeps, job);
};

describe('a failed monthly payment', () => {
  it('sends the donor one email per invoice, in their language, with a signed link to change the card', async () => {
    const env = await makeGiftDeps();
    for (let i = 0; i < 3; i++) await recordPaymentEvent(env.deps, failed()); // Stripe redelivers
    await drain(env);
    expect(env.mailer.sent).toHaveLength(1);
    const [email] = env.mailer.sent;
    expect(email?.to).toBe('donor@example.org');
    expect(email?.subject).toBe('Не вдалося списати ваш щомісячний внесок на Support Ukraine');
    expect(email?.text).toMatch(/внесок 15\sUSD на Support Ukraine/); // Ukrainian writes the amount its own way
    const link = /https:\/\/api\.example\.org\/v1\/donations\/manage\?token=([^&\s]+)&lang=uk/.exec(email?.text ?? '');
    expect(link).not.toBeNull();
    expect(readManageToken(testKeys.token, decodeURIComponent(link?.[1] ?? ''), at).customer).toBe('cus_1');
    expect(email?.headers).toEqual({}); // about the donor's own gift: no list headers
  });

  it('sends a second email for the next invoice that fails', async () => {
    const env = await makeGiftDeps();
    await recordPaymentEvent(env.deps, failed());
    await recordPaymentEvent(env.deps, failed({ invoice: 'in_2' }));
    await drain(env);
    expect(env.mailer.sent).toHaveLength(2);
  });

  it('sends nothing when Stripe will not retry (the "ended" email follows), without an address, or when the stage leaves it to Stripe', async () => {
    const env = await makeGiftDeps();
    await recordPaymentEvent(env.deps, failed({ willRetry: false }));
    await recordPaymentEvent(env.deps, failed({ invoice: 'in_2', email: undefined }));
    await recordPaymentEvent({ ...env.deps, settings: { ...env.deps.settings, failedPaymentEmails: false } }, failed({ invoice: 'in_3' }));
    await recordPaymentEvent({ ...env.deps, settings: { ...env.deps.settings, failedPaymentEmails: false } }, ended());
    await drain(env);
    expect(env.mailer.sent).toEqual([]);
  });

  it('names the campaign from the monthly gift\'s record when the invoice does not, and the site for an unknown one', async () => {
    const env = await makeGiftDeps();
    await env.monthly.record('sub_1', 'active', 'ukraine');
    await recordPaymentEvent(env.deps, failed({ campaign: undefined, lang: undefined }));
    await recordPaymentEvent(env.deps, failed({ invoice: 'in_2', campaign: 'gone', subscription: 'sub_9', lang: undefined }));
    await drain(env);
    expect(env.mailer.sent.map((m) => m.subject)).toEqual([
      'Your monthly gift to Support Ukraine could not be taken',
      'Your monthly gift to Example News could not be taken',
    ]);
  });

  it('is not sent to a bounced address', async () => {
    const env = await makeGiftDeps();
    await env.suppressions.put(addressKey(testKeys, 'donor@example.org'), 'bounced', at);
    await recordPaymentEvent(env.deps, failed());
    await drain(env);
    expect(env.mailer.sent).toEqual([]);
  });
});

describe('a monthly gift Stripe ends for non-payment', () => {
  it('sends one "your monthly gift has ended" email with a way to give again, however often the event comes', async () => {
    const env = await makeGiftDeps();
    await recordPaymentEvent(env.deps, ended({ lang: 'es' }));
    await recordPaymentEvent(env.deps, ended({ lang: 'es' }));
    await drain(env);
    expect(env.mailer.sent).toHaveLength(1);
    const [email] = env.mailer.sent;
    expect(email?.subject).toBe('Tu donación mensual a Support Ukraine ha terminado');
    expect(email?.text).toContain('https://api.example.org/v1/donate?campaign=ukraine&frequency=monthly&lang=es');
    expect(env.monthly.items.get('sub_1')).toBe('ended');
  });

  it('sends nothing when the donor cancelled it themselves', async () => {
    const env = await makeGiftDeps();
    await recordPaymentEvent(env.deps, ended({ endedFor: undefined }));
    await drain(env);
    expect(env.mailer.sent).toEqual([]);
  });
});
