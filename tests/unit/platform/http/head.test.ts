import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createAdminToken } from '../../../../functions/core/admin/admin.js';
import { manageLink } from '../../../../functions/core/donations/manage.js';
import type { CheckoutParams, Payments } from '../../../../functions/core/donations/ports.js';
import { makeConfirmToken } from '../../../../functions/core/shared/secrets.js';
import { unsubscribeUrl } from '../../../../functions/core/subscriptions/subscriptions.js';
import { makeHandler as adminHandler } from '../../../../functions/admin/routes.js';
import { makeHandler as embedHandler } from '../../../../functions/embed/routes.js';
import { makeHandler as fallbackHandler } from '../../../../functions/fallback/routes.js';
import { makeHandler as subscriptionsHandler } from '../../../../functions/subscriptions/routes.js';
import type { HttpResponse } from '../../../../functions/platform/http/responses.js';
import { makeDonationsHandler } from '../../../support/donation-fakes.js';
import { MemoryRateLimiter, makeSubscriptionDeps } from '../../../support/fakes.js';
import { makeAdminDeps, makeExportDeps } from '../../../support/admin-fakes.js';
import { type HttpEventInput, httpEvent } from '../../../support/events.js';

const BROWSER = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };

type Lambda = (event: APIGatewayProxyEventV2) => Promise<HttpResponse>;

/** The same request as GET and as HEAD: HEAD must answer GET's status and headers, with no body. */
const both = async (handler: Lambda, input: Omit<HttpEventInput, 'method'>) => {
  const get = await handler(httpEvent({ ...input, method: 'GET' }));
  const head = await handler(httpEvent({ ...input, method: 'HEAD' }));
  return { get, head };
};

/** HEAD's answer is GET's without the body: the same status and headers, and Content-Length of GET's body. */
const expectHeadOf = ({ get, head }: { get: HttpResponse; head: HttpResponse }) => {
  expect(head.statusCode).toBe(get.statusCode);
  expect(head.body).toBe('');
  const { 'content-length': length, ...headers } = head.headers;
  expect(headers).toEqual(get.headers);
  expect(length).toBe(String(Buffer.byteLength(get.body ?? '', get.isBase64Encoded ? 'base64' : 'utf8')));
};

class FakePayments implements Payments {
  readonly created: CheckoutParams[] = [];
  readonly portals: string[] = [];
  async createCheckout(params: CheckoutParams, key: string) {
    this.created.push(params);
    return { id: `cs_${key}`, url: `https://checkout.example.org/${key}`, open: true };
  }
  async describeCheckout() {
    return undefined;
  }
  async createPortalSession(customer: string) {
    this.portals.push(customer);
    return `https://billing.example.org/${customer}`;
  }
}

describe('HEAD on the mailing list routes', () => {
  const setup = (linkLimit = 60) => {
    const fakes = makeSubscriptionDeps();
    const limits = {
      signupClient: { name: 'signup-client', limit: 30, windowSeconds: 60 },
      linkClient: { name: 'link-client', limit: linkLimit, windowSeconds: 60 },
    };
    return { ...fakes, handler: subscriptionsHandler(fakes.deps, { limits }) };
  };
  const confirmQuery = (deps: ReturnType<typeof setup>['deps']) =>
    `token=${makeConfirmToken(deps.keys.token, { email: 'reader@example.org', round: 'r1', request: 'j1', expiresAt: new Date(deps.clock.now().getTime() + 86_400_000) })}`;

  it("answers a confirmation link with the prompt page's status and headers, and no body", async () => {
    const { handler, deps } = setup();
    expectHeadOf(await both(handler, { path: '/v1/subscriptions/confirm', query: confirmQuery(deps), headers: BROWSER }));
  });

  it('answers a forged confirmation or unsubscribe link with the 400 that GET gives, and no body', async () => {
    const { handler } = setup();
    for (const path of ['/v1/subscriptions/confirm', '/v1/subscriptions/unsubscribe']) {
      for (const headers of [BROWSER, { accept: 'application/json' }]) {
        const answers = await both(handler, { path, query: 'token=forged', headers });
        expect(answers.get.statusCode).toBe(400);
        expectHeadOf(answers);
      }
    }
  });

  it('answers the unsubscribe prompt and the thank-you page as GET does, with no body', async () => {
    const { handler, deps } = setup();
    const token = new URL(unsubscribeUrl(deps, 'reader@example.org')).search.slice(1);
    expectHeadOf(await both(handler, { path: '/v1/subscriptions/unsubscribe', query: token, headers: BROWSER }));
    expectHeadOf(await both(handler, { path: '/v1/subscriptions/thanks', headers: BROWSER }));
  });

  it("never counts a HEAD against the client's link limit (a safe method changes nothing)", async () => {
    const { handler, deps, rateLimiter } = setup(1);
    const query = confirmQuery(deps);
    for (let i = 0; i < 3; i++) {
      const head = await handler(httpEvent({ method: 'HEAD', path: '/v1/subscriptions/confirm', query, headers: BROWSER }));
      expect(head.statusCode).toBe(200);
    }
    expect(rateLimiter.counts.size).toBe(0);
    const visit = () => handler(httpEvent({ method: 'GET', path: '/v1/subscriptions/confirm', query, headers: BROWSER }));
    expect((await visit()).statusCode).toBe(200);
    expect((await visit()).statusCode).toBe(429);
  });
});

describe('HEAD on the donation routes', () => {
  const setup = async () => {
    const rateLimiter = new MemoryRateLimiter();
    const made = await makeDonationsHandler(new FakePayments(), { routes: { rateLimiter } });
    return { ...made, rateLimiter };
  };

  it("checks a donate link with an amount without creating a Checkout Session or counting a checkout: 200, GET's headers but Location", async () => {
    const { handler, payments, rateLimiter } = await setup();
    const result = await handler(httpEvent({ method: 'HEAD', path: '/v1/donate', query: 'campaign=ukraine&amount=2500&currency=usd', headers: BROWSER }));
    expect(result.statusCode).toBe(200);
    expect(result.body).toBe('');
    expect(result.headers.location).toBeUndefined();
    expect(result.headers['cache-control']).toBe('no-store');
    expect(result.headers['referrer-policy']).toBe('no-referrer');
    expect(payments.created).toEqual([]);
    expect(rateLimiter.counts.size).toBe(0);
    // GET still does the work.
    const get = await handler(httpEvent({ method: 'GET', path: '/v1/donate', query: 'campaign=ukraine&amount=2500&currency=usd', headers: BROWSER }));
    expect(get.statusCode).toBe(303);
    expect(payments.created).toHaveLength(1);
  });

  it('answers a donate link that GET refuses with the same page status and headers, and no body', async () => {
    const { handler, payments } = await setup();
    for (const query of ['campaign=nope&amount=2500', 'campaign=ukraine&amount=1&currency=usd', 'campaign=ukraine&amount=2500&currency=eur', 'amount=2500']) {
      const answers = await both(handler, { path: '/v1/donate', query, headers: BROWSER });
      expect(answers.get.statusCode, query).toBe(400);
      expectHeadOf(answers);
    }
    expect(payments.created).toEqual([]);
  });

  it('answers the chooser, the thank-you page and the campaign progress as GET does, with no body', async () => {
    const { handler } = await setup();
    expectHeadOf(await both(handler, { path: '/v1/donate', query: 'campaign=ukraine', headers: BROWSER }));
    expectHeadOf(await both(handler, { path: '/v1/donate/thanks', headers: BROWSER }));
    const progress = await both(handler, { path: '/v1/campaigns/ukraine' });
    expect(progress.get.headers['cache-control']).toContain('max-age=30');
    expectHeadOf(progress);
    expectHeadOf(await both(handler, { path: '/v1/campaigns/nope' }));
  });

  it('checks a manage link without opening a Customer Portal session or counting a visit', async () => {
    const { handler, payments, rateLimiter, deps } = await setup();
    const query = new URL(manageLink(deps, 'https://api.example.org', 'cus_known')).search.slice(1);
    const good = await handler(httpEvent({ method: 'HEAD', path: '/v1/donations/manage', query, headers: BROWSER }));
    expect(good.statusCode).toBe(200);
    expect(good.body).toBe('');
    expect(good.headers.location).toBeUndefined();
    expect(good.headers['referrer-policy']).toBe('no-referrer');
    expect(payments.portals).toEqual([]);
    expect(rateLimiter.counts.size).toBe(0);
    const forged = await both(handler, { path: '/v1/donations/manage', query: 'token=v1.abc', headers: BROWSER });
    expect(forged.get.statusCode).toBe(400);
    expectHeadOf(forged);
    expect(payments.portals).toEqual([]);
  });
});

describe('HEAD on the embed script', () => {
  const handler = embedHandler({ script: '/*! test */(()=>{document.title="Підпишіться"})();\n', messages: {}, maxAgeSeconds: 300 });
  const event = (method: string, headers: Record<string, string> = {}) =>
    httpEvent({ method, path: '/v1/embed.js', headers: { accept: '*/*', ...headers } });

  it("answers with GET's status and headers and no body, whatever the coding; Content-Length is GET's bytes", async () => {
    for (const coding of ['br', 'gzip', 'identity']) {
      const headers = { 'accept-encoding': coding };
      expectHeadOf({ get: await handler(event('GET', headers)), head: await handler(event('HEAD', headers)) });
    }
  });

  it('answers 304 to a browser that holds the build, without a Content-Length (RFC 9110 §8.6)', async () => {
    const etag = (await handler(event('GET'))).headers.etag ?? '';
    const result = await handler(event('HEAD', { 'if-none-match': etag }));
    expect(result.statusCode).toBe(304);
    expect(result.body).toBe('');
    expect(result.headers['content-length']).toBeUndefined();
  });
});

describe('HEAD on the admin routes', () => {
  it('answers as GET does, token required, with no body', async () => {
    const { t, admin } = makeAdminDeps();
    const exports = makeExportDeps(t.clock);
    const { token } = await createAdminToken(admin, 'unit tests');
    const handler = adminHandler({ admin, exports: exports.deps }, { siteName: 'Example News' });
    const authorization = { authorization: `Bearer ${token}` };
    const stats = await both(handler, { path: '/v1/admin/stats', headers: authorization });
    expect(stats.get.statusCode).toBe(200);
    expectHeadOf(stats);
    expectHeadOf(await both(handler, { path: '/v1/admin/subscribers/nobody%40example.org', headers: authorization }));
    const anonymous = await both(handler, { path: '/v1/admin/stats' });
    expect(anonymous.get.statusCode).toBe(401);
    expectHeadOf(anonymous);
  });
});

describe('HEAD on the catch-all', () => {
  const handler = fallbackHandler({ siteName: 'Example News' });

  it('answers the icon, the stylesheet, an unknown path and a POST-only one as GET does, with no body', async () => {
    for (const path of ['/favicon.ico', '/v1/site.css', '/nowhere', '/v1/subscriptions']) {
      expectHeadOf(await both(handler, { path, headers: BROWSER }));
    }
    const postOnly = await handler(httpEvent({ method: 'HEAD', path: '/v1/subscriptions' }));
    expect(postOnly.statusCode).toBe(405);
    expect(postOnly.headers.allow).toBe('POST');
  });

  it('lists HEAD beside GET in the Allow header of a 405', async () => {
    const embed = await handler(httpEvent({ method: 'POST', path: '/v1/embed.js' }));
    expect(embed.statusCode).toBe(405);
    expect(embed.headers.allow).toBe('GET, HEAD');
    const confirm = await handler(httpEvent({ method: 'DELETE', path: '/v1/subscriptions/confirm' }));
    expect(confirm.headers.allow).toBe('GET, HEAD, POST');
    const subscriber = await handler(httpEvent({ method: 'PUT', path: '/v1/admin/subscribers/a%40example.org' }));
    expect(subscriber.headers.allow).toBe('GET, HEAD, DELETE');
  });
});
