import { describe, expect, it } from 'vitest';
import { makeHandler } from '../../../functions/subscriptions/routes.js';
import { unsubscribeUrl } from '../../../functions/core/subscriptions/subscriptions.js';
import type { Subscriber } from '../../../functions/core/subscriptions/model.js';
import { makeSubscriptionDeps } from '../../support/fakes.js';
import { bodyOf, httpEvent } from '../../support/events.js';

const limits = {
  signupClient: { name: 'signup-client', limit: 2, windowSeconds: 60 },
  linkClient: { name: 'link-client', limit: 60, windowSeconds: 60 },
};

const tokenFrom = (url: string) => new URL(url).searchParams.get('token') ?? '';
const confirmedSubscriber = (email: string): Subscriber => {
  const at = '2026-11-25T09:00:00.000Z';
  return {
    email,
    status: 'confirmed',
    lists: ['news'],
    round: 'r1',
    createdAt: at,
    updatedAt: at,
    subscribedAt: at,
    confirmedAt: at,
    consent: { signup: { at, wordingVersion: 'v1' } },
    version: 1,
  };
};

const setup = () => {
  const fakes = makeSubscriptionDeps();
  const handler = makeHandler(fakes.deps, { limits, thankYouUrl: 'https://news.example.org/thanks' });
  return { ...fakes, handler };
};

describe('subscriptions handler', () => {
  it('accepts a signup with 202 and puts one job on the queue', async () => {
    const { handler, queue } = setup();
    const result = await handler(httpEvent({ method: 'POST', path: '/v1/subscriptions', body: { email: 'Reader@Example.org' } }));
    expect(result.statusCode).toBe(202);
    expect(bodyOf(result)).toEqual({ status: 'pending' });
    expect(result.headers['x-request-id']).toBe('req-1');
    expect(queue.jobs).toHaveLength(1);
  });

  it('sends a browser form post on to the thank-you page', async () => {
    const { handler } = setup();
    const result = await handler(
      httpEvent({
        method: 'POST',
        path: '/v1/subscriptions',
        headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'email=reader%40example.org',
      }),
    );
    expect(result.statusCode).toBe(303);
    expect(result.headers.location).toBe('https://news.example.org/thanks');
  });

  it('answers an invalid address with 400 and the contract code, queueing nothing', async () => {
    const { handler, queue } = setup();
    const result = await handler(httpEvent({ method: 'POST', path: '/v1/subscriptions', body: { email: 'not an address' } }));
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'invalid_email' } });
    expect(queue.jobs).toHaveLength(0);
  });

  it('answers 429 with retry-after once a client passes its limit', async () => {
    const { handler } = setup();
    const signup = () => handler(httpEvent({ method: 'POST', path: '/v1/subscriptions', body: { email: 'reader@example.org' } }));
    await signup();
    await signup();
    const limited = await signup();
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('shows a browser a page, not JSON, for a broken confirmation link', async () => {
    const { handler } = setup();
    const result = await handler(
      httpEvent({ method: 'GET', path: '/v1/subscriptions/confirm', query: 'token=forged', headers: { accept: 'text/html' } }),
    );
    expect(result.statusCode).toBe(400);
    expect(result.headers['content-type']).toMatch(/^text\/html/);
  });

  it('refuses an unsubscribe with a forged token (400 invalid_token)', async () => {
    const { handler } = setup();
    const result = await handler(httpEvent({ method: 'POST', path: '/v1/subscriptions/unsubscribe', query: 'token=forged' }));
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'invalid_token' } });
  });

  it('never limits a one-click unsubscribe POST by client IP; the GET prompt stays limited', async () => {
    const fakes = makeSubscriptionDeps();
    const tight = { ...limits, linkClient: { name: 'link-client', limit: 2, windowSeconds: 60 } };
    const handler = makeHandler(fakes.deps, { limits: tight });
    const token = `token=${tokenFrom(unsubscribeUrl(fakes.deps, 'reader@example.org'))}`;
    const posts = [];
    for (let i = 0; i < 5; i++) {
      posts.push(
        await handler(
          httpEvent({
            method: 'POST',
            path: '/v1/subscriptions/unsubscribe',
            query: token,
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'List-Unsubscribe=One-Click',
          }),
        ),
      );
    }
    expect(posts.map((r) => r.statusCode)).toEqual([200, 200, 200, 200, 200]);
    const gets = [];
    for (let i = 0; i < 3; i++) gets.push((await handler(httpEvent({ method: 'GET', path: '/v1/subscriptions/unsubscribe', query: token }))).statusCode);
    expect(gets).toEqual([200, 200, 429]);
  });

  it('unsubscribes on an RFC 8058 one-click POST sent as multipart/form-data', async () => {
    const { handler, deps, subscribers } = setup();
    subscribers.items.set('reader@example.org', confirmedSubscriber('reader@example.org'));
    const result = await handler(
      httpEvent({
        method: 'POST',
        path: '/v1/subscriptions/unsubscribe',
        query: `token=${tokenFrom(unsubscribeUrl(deps, 'reader@example.org'))}`,
        headers: { 'content-type': 'multipart/form-data; boundary=----gmail0123' },
        body: '------gmail0123\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n------gmail0123--\r\n',
      }),
    );
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ status: 'unsubscribed' });
    expect(subscribers.items.get('reader@example.org')?.status).toBe('unsubscribed');
  });
});

describe("a form's list fields and a link's token, as sent", () => {
  const setup = () => {
    const fakes = makeSubscriptionDeps();
    const roomy = { ...limits, signupClient: { name: 'signup-client', limit: 100, windowSeconds: 60 } };
    return { ...fakes, handler: makeHandler(fakes.deps, { limits: roomy }) };
  };
  const FORM_JSON = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  const FORM_BROWSER = { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' };
  const signup = (handler: ReturnType<typeof setup>['handler'], body: string | Record<string, unknown>, headers: Record<string, string> = FORM_JSON) =>
    handler(httpEvent({ method: 'POST', path: '/v1/subscriptions', headers: typeof body === 'string' ? headers : {}, body }));
  const listsOf = (queue: ReturnType<typeof setup>['queue']) => queue.jobs.map((job) => (job.kind === 'signup' ? job.request.lists : undefined));

  it('takes lists[] (PHP and jQuery forms) and lists[0], lists[1]… as repeated lists fields', async () => {
    const { handler, queue } = setup();
    for (const body of [
      'email=a%40example.org&lists[]=events&lists[]=news',
      'email=a%40example.org&lists%5B%5D=events&lists=news',
      'email=a%40example.org&lists%5B0%5D=events&lists%5B1%5D=news',
    ]) {
      const result = await signup(handler, body);
      expect(result.statusCode, body).toBe(202);
    }
    expect(listsOf(queue)).toEqual([['events', 'news'], ['events', 'news'], ['events', 'news']]);
  });

  it('takes lists[] in a JSON body too', async () => {
    const { handler, queue } = setup();
    expect((await signup(handler, { email: 'a@example.org', 'lists[]': ['events', 'news'] })).statusCode).toBe(202);
    expect((await signup(handler, { email: 'a@example.org', 'lists[0]': 'events' })).statusCode).toBe(202);
    expect(listsOf(queue)).toEqual([['events', 'news'], ['events']]);
  });

  it('refuses an unknown list sent as lists[] (400 invalid_list), never signing up to the default list instead', async () => {
    const { handler, queue } = setup();
    const result = await signup(handler, 'email=a%40example.org&lists[]=sports');
    expect(result.statusCode).toBe(400);
    expect(bodyOf(result)).toMatchObject({ error: { code: 'invalid_list', field: 'lists' } });
    expect(queue.jobs).toHaveLength(0);
  });

  it('refuses any other bracketed field (400 invalid_field at that field) rather than dropping it', async () => {
    const { handler, queue } = setup();
    for (const [body, field] of [
      ['email=a%40example.org&lists[news]=on', 'lists[news]'],
      ['email=a%40example.org&lists[0][id]=news', 'lists[0][id]'],
      ['email=a%40example.org&name[]=Ann', 'name[]'],
    ] as const) {
      const result = await signup(handler, body);
      expect(result.statusCode, body).toBe(400);
      expect(bodyOf(result), body).toMatchObject({ error: { code: 'invalid_field', field, message: expect.stringContaining('lists[]') } });
    }
    const json = await signup(handler, { email: 'a@example.org', 'lists[x]': 'news' });
    expect(bodyOf(json)).toMatchObject({ error: { code: 'invalid_field', field: 'lists[x]' } });
    expect(queue.jobs).toHaveLength(0);
  });

  it('shows a browser the form again, saying what is wrong, with the lists it sent as lists[] kept', async () => {
    const { handler } = setup();
    const refused = await signup(handler, 'email=a%40example.org&lists[news]=on', FORM_BROWSER);
    expect(refused.statusCode).toBe(400);
    expect(refused.headers['content-type']).toMatch(/^text\/html/);
    expect(refused.body).toContain('lists[]');
    const badEmail = await signup(handler, 'email=nope&lists[]=events', FORM_BROWSER);
    expect(badEmail.statusCode).toBe(400);
    expect(badEmail.body).toContain('<input type="hidden" name="lists" value="events">');
  });

  it('says that a link has more than one token, to JSON clients and on the page', async () => {
    const { handler, deps } = setup();
    const token = tokenFrom(unsubscribeUrl(deps, 'reader@example.org'));
    for (const [method, path] of [['GET', '/v1/subscriptions/confirm'], ['POST', '/v1/subscriptions/confirm'], ['GET', '/v1/subscriptions/unsubscribe'], ['POST', '/v1/subscriptions/unsubscribe']] as const) {
      const query = `token=${token}&token=${token}`;
      const json = await handler(httpEvent({ method, path, query }));
      expect(json.statusCode, path).toBe(400);
      expect(bodyOf(json), path).toEqual({ error: { code: 'invalid_token', field: 'token', message: 'The link has more than one token.' } });
      const page = await handler(httpEvent({ method, path, query, headers: { accept: 'text/html' } }));
      expect(page.statusCode, path).toBe(400);
      expect(page.body, path).toContain('The link has more than one token.');
      expect(page.body, path).not.toContain('missing');
    }
    const missing = await handler(httpEvent({ method: 'GET', path: '/v1/subscriptions/confirm', query: '' }));
    expect(bodyOf(missing)).toMatchObject({ error: { code: 'invalid_token', message: 'The link is missing its token.' } });
  });
});

