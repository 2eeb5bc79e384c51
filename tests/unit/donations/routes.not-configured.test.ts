import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildDonations } from '../../../functions/donations/deps.js';
import { makeHandler } from '../../../functions/donations/routes.js';
import { buildStripeWebhook } from '../../../functions/stripe-webhook/deps.js';
import { makeHandler as makeWebhook } from '../../../functions/stripe-webhook/routes.js';
import { DonationConfig, loadConfig, WebhookConfig } from '../../../functions/configs.js';
import { messagesOf } from '../../../functions/core/shared/i18n/catalogue.js';
import { logger } from '../../../functions/platform/logger.js';
import { STRIPE_SECRET_RECHECK_SECONDS } from '../../../functions/platform/wiring/stripe.js';
import { bodyOf, httpEvent } from '../../support/events.js';

// A stage deployed before anyone filled in its Stripe secret: the stack's placeholder (infra/constructs/donations.ts).
const PLACEHOLDER = JSON.stringify({ placeholder: 'Gq3k9Z0aTbYw1Xr5LmNp' });

const env = {
  SITE_NAME: 'Example News',
  SITE_URL: 'https://news.example.org/',
  PUBLIC_API_URL: 'https://api.example.org',
  SIGNING_SECRET_ID: 'signing',
  DONATIONS_TABLE_NAME: 'donations',
  STRIPE_SECRET_ID: 'stripe',
  // Nothing here reaches Stripe: the address is unroutable.
  STRIPE_API_URL: 'http://127.0.0.1:9',
  SIGNUP_AND_MAIL_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/mail',
  CONSENT_VERSION: 'v1',
  DEFAULT_LIST: 'news',
  CHARITY_NAME: 'Example Relief Fund',
  CHARITY_REGISTRATION: '1190000',
};
const clients = { region: 'eu-west-1', endpoints: { dynamodb: 'http://127.0.0.1:9' } };

/** The secrets as the extension answers them; `stripe` is what the Stripe secret holds now. */
const secretsWith = (stripe: { value: string }) => {
  const reads: string[] = [];
  return {
    reads,
    getSecretString: async (id: string) => {
      reads.push(id);
      return id === 'stripe' ? stripe.value : JSON.stringify({ signingKey: 'k'.repeat(32) });
    },
  };
};

const donations = async (stripe = { value: PLACEHOLDER }) => {
  const secrets = secretsWith(stripe);
  const { deps, options } = await buildDonations(loadConfig(DonationConfig, env), clients, secrets);
  return { handler: makeHandler(deps, options), secrets, stripe };
};

const BROWSER = { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' };
const ROUTES = [
  { method: 'POST', path: '/v1/donations/checkout', body: { campaign: 'ukraine', amount: 2500, currency: 'usd' } },
  { method: 'GET', path: '/v1/donate', query: 'campaign=ukraine' },
  { method: 'GET', path: '/v1/donate', query: 'campaign=ukraine&amount=2500&currency=usd' },
  { method: 'HEAD', path: '/v1/donate', query: 'campaign=ukraine&amount=2500&currency=usd' },
  { method: 'GET', path: '/v1/donate/thanks', query: 'session_id=cs_test_1' },
];

afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

describe('a stage whose Stripe secret is not set yet', () => {
  it('builds the donations and webhook functions without failing their cold start, and says why once', async () => {
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const { handler } = await donations();
    await buildStripeWebhook(loadConfig(WebhookConfig, env), clients, secretsWith({ value: '' }));
    for (let i = 0; i < 3; i++) await handler(httpEvent(ROUTES[0] as (typeof ROUTES)[number]));
    const lines = warn.mock.calls.filter(([message]) => message === 'stripe secret not set');
    expect(lines).toEqual([
      ['stripe secret not set', expect.objectContaining({ reason: 'placeholder', stripeSecretNotSet: true })],
      ['stripe secret not set', expect.objectContaining({ reason: 'empty', stripeSecretNotSet: true })],
    ]);
    expect(JSON.stringify(lines)).not.toContain('Gq3k9Z0a');
  });

  it('answers the donation routes 503 donations_not_configured to a JSON client, checking nothing else first', async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const { handler } = await donations();
    for (const route of ROUTES) {
      const result = await handler(httpEvent(route));
      expect(result.statusCode, `${route.method} ${route.path}?${route.query ?? ''}`).toBe(503);
      if (route.method === 'HEAD') continue;
      expect(bodyOf(result)).toEqual({ error: { code: 'donations_not_configured', message: expect.stringContaining('not set up yet') } });
    }
  });

  it.each([
    ['en', {}],
    ['uk', { 'accept-language': 'uk' }],
    ['es', { 'accept-language': 'es-MX,es;q=0.9' }],
  ] as const)('shows a browser a page that says donations are not set up yet (%s)', async (lang, headers) => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const { handler } = await donations();
    const words = messagesOf(lang).errors;
    for (const route of [...ROUTES.filter((r) => r.method === 'GET'), { method: 'GET', path: '/v1/donations/manage', query: 'token=x' }]) {
      const result = await handler(httpEvent({ ...route, headers: { ...BROWSER, ...headers } }));
      expect(result.statusCode, route.path).toBe(503);
      expect(result.headers['content-type']).toMatch(/^text\/html/);
      expect(result.body).toContain(`<html lang="${lang}">`);
      expect(result.body).toContain(words.notConfiguredTitle);
      expect(result.body).toContain(words.messages.notConfigured);
    }
    if (lang === 'en') expect(words.notConfiguredTitle).toBe('Donations are not set up yet');
    else expect(words.notConfiguredTitle).not.toBe(messagesOf('en').errors.notConfiguredTitle);
  });

  it('picks up the secret once it is filled in, within the recheck interval, without a new cold start', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-25T10:00:00Z'));
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    const { handler, secrets, stripe } = await donations();
    const thanks = () => handler(httpEvent({ ...(ROUTES[4] as (typeof ROUTES)[number]), headers: BROWSER }));
    expect((await thanks()).statusCode).toBe(503);
    stripe.value = JSON.stringify({ secretKey: 'sk_test_filled', webhookSecret: 'whsec_filled' });
    // Not on every request: the placeholder is read again only once the recheck interval has passed.
    const readsBefore = secrets.reads.filter((id) => id === 'stripe').length;
    expect((await thanks()).statusCode).toBe(503);
    expect(secrets.reads.filter((id) => id === 'stripe')).toHaveLength(readsBefore);
    vi.setSystemTime(new Date(Date.now() + STRIPE_SECRET_RECHECK_SECONDS * 1000 + 1));
    // The thank-you page asks Stripe about the session: unreachable here, so it thanks without an amount (200).
    expect((await thanks()).statusCode).toBe(200);
    expect(secrets.reads.filter((id) => id === 'stripe')).toHaveLength(readsBefore + 1);
    expect(info.mock.calls.filter(([message]) => message === 'stripe secret set')).toHaveLength(1);
  });
});

describe('the Stripe webhook of a stage whose Stripe secret is not set yet', () => {
  it('answers 503 donations_not_configured, so that Stripe delivers the event again later', async () => {
    vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    const { deps, options } = await buildStripeWebhook(loadConfig(WebhookConfig, env), clients, secretsWith({ value: PLACEHOLDER }));
    const handler = makeWebhook(deps, options);
    const result = await handler(httpEvent({ method: 'POST', path: '/v1/stripe/webhook', body: { id: 'evt_1' }, headers: { 'stripe-signature': 't=1,v1=x' } }));
    expect(result.statusCode).toBe(503);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'donations_not_configured' } });
  });
});
