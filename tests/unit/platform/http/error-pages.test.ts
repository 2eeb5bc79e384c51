import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../../functions/admin/routes.js';
import { makeHandler as makeWebhook } from '../../../../functions/stripe-webhook/routes.js';
import { AdminConfig, loadConfig, WebhookConfig } from '../../../../functions/configs.js';
import { buildAdmin } from '../../../../functions/admin/deps.js';
import { buildStripeWebhook } from '../../../../functions/stripe-webhook/deps.js';
import { makeAdminDeps, makeExportDeps } from '../../../support/admin-fakes.js';
import { httpEvent } from '../../../support/events.js';

const env = {
  SITE_NAME: 'Example News',
  SITE_URL: 'https://news.example.org/',
  PUBLIC_API_URL: 'https://api.example.org',
  SIGNING_SECRET_ID: 'signing',
  SUBSCRIBERS_TABLE_NAME: 'subscribers',
  AUDIT_TABLE_NAME: 'audit',
  DONATIONS_TABLE_NAME: 'donations',
  EXPORT_BUCKET_NAME: 'exports',
  EXPORT_WORKER_FUNCTION_NAME: 'export-worker',
  LIST_IDS: 'news',
  STRIPE_SECRET_ID: 'stripe',
  SIGNUP_AND_MAIL_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/mail',
  CONSENT_VERSION: 'v1',
  DEFAULT_LIST: 'news',
};
const secrets = {
  getSecretString: async (id: string) =>
    id === 'stripe' ? JSON.stringify({ secretKey: 'sk_test_unit', webhookSecret: 'whsec_unit' }) : JSON.stringify({ signingKey: 'k'.repeat(32) }),
};
const clients = { region: 'eu-west-1' };
const BROWSER = { accept: 'text/html' };
const MASTHEAD_HOME = '<header class="masthead"><a href="https://news.example.org/">';

describe('the HTML error pages of the admin and webhook functions', () => {
  it('carry the site brand from the admin root: the masthead links home', async () => {
    const { options } = await buildAdmin(loadConfig(AdminConfig, env), clients, secrets);
    const { t, admin } = makeAdminDeps();
    const handler = makeHandler({ admin, exports: makeExportDeps(t.clock).deps }, options);
    const result = await handler(httpEvent({ method: 'GET', path: '/v1/admin/stats', headers: BROWSER }));
    expect(result.statusCode).toBe(401);
    expect(result.body).toContain(MASTHEAD_HOME);
  });

  it('carry the site brand from the stripe-webhook root', async () => {
    const { deps, options } = await buildStripeWebhook(loadConfig(WebhookConfig, env), clients, secrets);
    const handler = makeWebhook(deps, options);
    const result = await handler(httpEvent({ method: 'POST', path: '/v1/stripe/webhook', headers: { ...BROWSER, 'content-type': 'text/plain' }, body: 'x' }));
    expect(result.statusCode).toBeGreaterThanOrEqual(400);
    expect(result.body).toContain(MASTHEAD_HOME);
  });
});
