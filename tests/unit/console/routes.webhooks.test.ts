import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { actingAs, setup, signedIn } from './harness.js';

// The console's webhooks and connectors pages: admins only (a lesser role gets the 403 page and no link), each
// change with the session's CSRF token and from the API's own origin, recorded once in the audit log; a signing
// secret shown only on the page that made it; a forbidden URL a form error; keys and tokens never shown back.

const as = actingAs;

const secretOf = (body: string) => /<pre class="mono" id="secret">(whsec_[A-Za-z0-9+/=]+)<\/pre>/.exec(body)?.[1];

const addEndpoint = async (admin: ReturnType<typeof as>, url = 'https://hooks.example.org/in') => {
  const added = await admin.post('/admin/webhooks', { url, events: 'subscriber.confirmed', description: 'CRM' });
  expect(added.statusCode).toBe(200);
  const id = /href="\/admin\/webhooks\/(wh_[a-f0-9]{16})"/.exec(added.body)?.[1] ?? '';
  return { added, id, secret: secretOf(added.body) };
};

describe('the webhooks page', () => {
  it('is for admins only: other roles get the 403 page and no link, an admin the link and the page', async () => {
    const h = setup();
    for (const role of ['viewer', 'fundraiser', 'exporter'] as const) {
      const editor = as(h, await signedIn(h, role));
      for (const path of ['/admin/webhooks', '/admin/connectors']) {
        const refused = await editor.get(path);
        expect(refused.statusCode).toBe(403);
        expect(refused.body).toContain('<h1>');
      }
      const refusedPost = await editor.post('/admin/webhooks', { url: 'https://hooks.example.org/in', events: '*' });
      expect(refusedPost.statusCode).toBe(403);
      const page = await editor.get('/admin/account');
      expect(page.body).not.toContain('href="/admin/webhooks"');
      expect(page.body).not.toContain('href="/admin/connectors"');
    }
    expect(h.deps.webhooks.endpoints.items.size).toBe(0);
    const admin = as(h, await signedIn(h, 'admin'));
    const page = await admin.get('/admin/webhooks');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<a href="/admin/webhooks" aria-current="page">Webhooks</a>');
    expect(page.body).toContain('<a href="/admin/connectors">Connectors</a>');
    expect(page.body).toContain('value="*"');
    expect(page.body).toContain('value="donation.paid"');
  });

  it('adds an endpoint and shows its secret once, which verifies a signature; the list never shows it again', async () => {
    const h = setup();
    const admin = as(h, await signedIn(h, 'admin'));
    const { added, id, secret } = await addEndpoint(admin);
    expect(added.headers['cache-control']).toBe('no-store');
    expect(secret).toMatch(/^whsec_/);
    const payload = '{"type":"subscriber.confirmed"}';
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) };
    const signed = new Webhook(secret ?? '').sign('msg_1', new Date(Number(headers['webhook-timestamp']) * 1000), payload);
    expect(new Webhook(h.deps.webhooks.endpoints.items.get(id)?.secret ?? '').verify(payload, { ...headers, 'webhook-signature': signed })).toBeTruthy();
    const list = await admin.get('/admin/webhooks');
    expect(list.body).toContain('https://hooks.example.org/in');
    expect(list.body).toContain('CRM');
    expect(list.body).toContain('Enabled');
    expect(list.body).not.toContain(secret);
    expect((await admin.get(`/admin/webhooks/${id}`)).body).not.toContain(secret);
    expect(h.audit.entries.filter((e) => e.action === 'webhook.add')).toEqual([expect.objectContaining({ actor: 'admin@example.org', target: `${id} hooks.example.org` })]);
  });

  it('takes several ticked event types, and * alone for all', async () => {
    const h = setup();
    const session = await signedIn(h, 'admin');
    const post = (pairs: [string, string][]) =>
      h.request('POST', '/admin/webhooks', { cookie: session.cookie, form: {}, rawBody: new URLSearchParams([['csrf', session.csrf], ['url', 'https://hooks.example.org/in'], ...pairs]).toString() });
    expect((await post([['events', 'donation.paid'], ['events', 'donation.refunded']])).statusCode).toBe(200);
    expect((await post([['events', 'donation.paid'], ['events', '*']])).statusCode).toBe(200);
    expect([...h.deps.webhooks.endpoints.items.values()].map((e) => e.events)).toEqual([['donation.paid', 'donation.refunded'], ['*']]);
  });

  it('shows a refused URL or no event type as an error on the form, with what was typed, and adds nothing', async () => {
    const h = setup();
    const admin = as(h, await signedIn(h, 'admin'));
    for (const url of ['http://hooks.example.org/in', 'https://internal.example.org/in', 'https://169.254.169.254/latest', 'https://api.example.org/v1/admin/webhooks', 'https://nowhere.invalid/in']) {
      const refused = await admin.post('/admin/webhooks', { url, events: 'donation.paid' });
      expect(refused.statusCode, url).toBe(400);
      expect(refused.body).toContain('role="alert"');
      expect(refused.body).toContain(`value="${url}"`);
      expect(refused.body).toContain('id="url" name="url" type="url" required maxlength="2048"');
      expect(refused.body).toMatch(/aria-invalid="true"/);
    }
    const none = await admin.post('/admin/webhooks', { url: 'https://hooks.example.org/in' });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('<fieldset aria-describedby="events-hint" aria-invalid="true">');
    const unknown = await admin.post('/admin/webhooks', { url: 'https://hooks.example.org/in', events: 'reader.kissed' });
    expect(unknown.statusCode).toBe(400);
    expect(h.deps.webhooks.endpoints.items.size).toBe(0);
    expect(h.audit.entries.filter((e) => e.action.startsWith('webhook.'))).toEqual([]);
  });

  it('refuses a change without the session’s CSRF token or from another origin', async () => {
    const h = setup();
    const session = await signedIn(h, 'admin');
    const form = { url: 'https://hooks.example.org/in', events: '*' };
    expect((await h.request('POST', '/admin/webhooks', { cookie: session.cookie, form: { ...form, csrf: 'x'.repeat(43) } })).statusCode).toBe(403);
    expect((await h.request('POST', '/admin/webhooks', { cookie: session.cookie, form: { ...form, csrf: session.csrf }, headers: { origin: 'https://evil.example' } })).statusCode).toBe(403);
    expect((await h.request('POST', '/admin/connectors', { cookie: session.cookie, form: { kind: 'listmonk', csrf: 'nope' } })).statusCode).toBe(403);
    expect(h.deps.webhooks.endpoints.items.size).toBe(0);
  });

  it('rotates the secret: the new one shown once, saying the old one signs for 24 hours more', async () => {
    const h = setup();
    const admin = as(h, await signedIn(h, 'admin'));
    const { id, secret } = await addEndpoint(admin);
    const rotated = await admin.post(`/admin/webhooks/${id}/rotate`);
    expect(rotated.statusCode).toBe(200);
    expect(rotated.headers['cache-control']).toBe('no-store');
    const fresh = secretOf(rotated.body);
    expect(fresh).toMatch(/^whsec_/);
    expect(fresh).not.toBe(secret);
    expect(rotated.body).toContain('The old secret keeps signing too for 24 hours');
    const stored = h.deps.webhooks.endpoints.items.get(id);
    expect(stored?.secret).toBe(fresh);
    expect(stored?.previousSecret).toBe(secret);
    expect(h.audit.entries.filter((e) => e.action === 'webhook.rotate').map((e) => e.target)).toEqual([id]);
  });

  it('removes an endpoint only after a confirmation page that names its URL', async () => {
    const h = setup();
    const admin = as(h, await signedIn(h, 'admin'));
    const { id } = await addEndpoint(admin);
    const asked = await admin.post(`/admin/webhooks/${id}/remove`);
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('<h1>Remove https://hooks.example.org/in?</h1>');
    expect(h.deps.webhooks.endpoints.items.has(id)).toBe(true);
    const removed = await admin.post(`/admin/webhooks/${id}/remove`, { confirm: 'yes' });
    expect(removed.statusCode).toBe(303);
    expect(h.deps.webhooks.endpoints.items.has(id)).toBe(false);
    expect(h.audit.entries.filter((e) => e.action === 'webhook.remove').map((e) => e.target)).toEqual([`${id} hooks.example.org`]);
    expect((await admin.post(`/admin/webhooks/${id}/remove`, { confirm: 'yes' })).statusCode).toBe(404);
    expect((await admin.get('/admin/webhooks/wh_0000000000000000')).statusCode).toBe(404);
    expect((await admin.get('/admin/webhooks/not-an-id')).statusCode).toBe(404);
  });

  it("shows the delivery log, retries one delivery now and replays everything since a time", async () => {
    const h = setup();
    const admin = as(h, await signedIn(h, 'admin'));
    const { id } = await addEndpoint(admin);
    const log = h.deps.webhooks.deliveries;
    const base = { webhookId: id, type: 'subscriber.confirmed' as const, generation: 0 };
    await log.create({ ...base, id: `msg_${'a'.repeat(32)}`, eventId: 'e1', status: 'failed', attempts: 8, createdAt: '2026-11-20T10:00:00.000Z', at: '2026-11-23T10:00:00.000Z', responseStatus: 500, latencyMs: 321, error: 'status' });
    await log.create({ ...base, id: `msg_${'b'.repeat(32)}`, eventId: 'e2', status: 'delivered', attempts: 1, createdAt: '2026-11-24T10:00:00.000Z', at: '2026-11-24T10:00:01.000Z', responseStatus: 204, latencyMs: 45 });
    const page = await admin.get(`/admin/webhooks/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Failed for good');
    expect(page.body).toContain('answered with an error');
    expect(page.body).toContain('321');
    expect(page.body).toContain('Delivered');
    expect(page.body).toContain('<td>204</td>');
    const retried = await admin.post(`/admin/webhooks/${id}/deliveries/msg_${'a'.repeat(32)}/retry`);
    expect(retried.statusCode).toBe(303);
    expect(retried.headers.location).toBe(`/admin/webhooks/${id}`);
    expect((await log.get(`msg_${'a'.repeat(32)}`))?.status).toBe('pending');
    expect(h.deps.webhooks.queue.due()).toEqual([{ delivery: `msg_${'a'.repeat(32)}`, generation: 1 }]);
    expect((await admin.post(`/admin/webhooks/${id}/deliveries/msg_${'c'.repeat(32)}/retry`)).statusCode).toBe(404);

    const replayed = await admin.post(`/admin/webhooks/${id}/replay`, { since: '2026-11-24T00:00' });
    expect(replayed.statusCode).toBe(200);
    expect(replayed.body).toContain('1 delivery was sent again.');
    expect(h.deps.webhooks.queue.due()).toEqual([{ delivery: `msg_${'b'.repeat(32)}`, generation: 1 }]);
    const bad = await admin.post(`/admin/webhooks/${id}/replay`, { since: 'yesterday' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('value="yesterday"');
    const future = await admin.post(`/admin/webhooks/${id}/replay`, { since: '2999-01-01T00:00' });
    expect(future.statusCode).toBe(400);
    expect(h.audit.entries.filter((e) => e.action === 'webhook.retry' || e.action === 'webhook.replay').map((e) => `${e.action} ${e.target}`)).toEqual([
      `webhook.retry ${id} msg_${'a'.repeat(32)}`,
      `webhook.replay ${id} since 2026-11-24T00:00:00.000Z`,
    ]);
  });

  it('offers a disabled endpoint to be enabled again', async () => {
    const h = setup();
    const admin = as(h, await signedIn(h, 'admin'));
    const { id } = await addEndpoint(admin);
    await h.deps.webhooks.endpoints.disable(id, '2026-11-23T10:00:00.000Z');
    expect((await admin.get('/admin/webhooks')).body).toContain('Disabled since');
    const page = await admin.get(`/admin/webhooks/${id}`);
    expect(page.body).toContain('after three days of failures');
    expect((await admin.post(`/admin/webhooks/${id}/enable`)).statusCode).toBe(303);
    expect(h.deps.webhooks.endpoints.items.get(id)?.disabledAt).toBeUndefined();
    expect(h.audit.entries.filter((e) => e.action === 'webhook.enable').map((e) => e.target)).toEqual([id]);
  });
});

describe('the connectors page', () => {
  const MAILCHIMP = { kind: 'mailchimp', apiKey: 'abcdef0123456789-us6', list: 'a1b2c3' };
  const LISTMONK = { kind: 'listmonk', url: 'https://lists.example.org', username: 'appeal', token: 'listmonk-secret-token', lists: '3, 4' };

  it('adds Mailchimp and shows its webhook URL once; the list shows neither the key nor the secret', async () => {
    const h = setup();
    const admin = as(h, await signedIn(h, 'admin'));
    const added = await admin.post('/admin/connectors', MAILCHIMP);
    expect(added.statusCode).toBe(200);
    expect(added.headers['cache-control']).toBe('no-store');
    const [connector] = h.deps.connectors.connectors.items.values();
    const url = `https://api.example.org/v1/connectors/${connector?.id}/mailchimp?secret=${connector?.webhookSecret}`;
    expect(added.body).toContain(url);
    expect(added.body).not.toContain(MAILCHIMP.apiKey);
    const list = await admin.get('/admin/connectors');
    expect(list.body).toContain('Mailchimp audience a1b2c3');
    expect(list.body).toContain('not started');
    for (const secret of [MAILCHIMP.apiKey, connector?.webhookSecret ?? '?']) expect(list.body).not.toContain(secret);
    expect(h.audit.entries.filter((e) => e.action === 'connector.add').map((e) => e.target)).toEqual([`${connector?.id} mailchimp`]);
  });

  it('adds listmonk with its lists, and shows a backfill in progress from the record', async () => {
    const h = setup();
    const admin = as(h, await signedIn(h, 'admin'));
    expect((await admin.post('/admin/connectors', LISTMONK)).statusCode).toBe(200);
    const [connector] = h.deps.connectors.connectors.items.values();
    expect(connector?.settings).toEqual({ kind: 'listmonk', url: 'https://lists.example.org', username: 'appeal', token: LISTMONK.token, lists: [3, 4] });
    Object.assign(connector ?? {}, { backfill: { state: 'running', pushed: 2500, total: 10000, startedAt: '2026-11-25T08:00:00.000Z' } });
    const list = await admin.get('/admin/connectors');
    expect(list.body).toContain('listmonk at https://lists.example.org');
    expect(list.body).toContain('running: 2,500 of 10,000 pushed');
    expect(list.body).toContain('<progress max="100" value="25"');
    expect(list.body).not.toContain(LISTMONK.token);
  });

  it('shows a refusal on the posted form, never writing back the key or token', async () => {
    const h = setup();
    const admin = as(h, await signedIn(h, 'admin'));
    const badKey = await admin.post('/admin/connectors', { ...MAILCHIMP, apiKey: 'short' });
    expect(badKey.statusCode).toBe(400);
    expect(badKey.body).toContain('A Mailchimp API key is');
    expect(badKey.body).toContain('id="mailchimp-apiKey" name="apiKey" type="password"');
    expect(badKey.body).toContain('value="a1b2c3"');
    const privateUrl = await admin.post('/admin/connectors', { ...LISTMONK, url: 'https://internal.example.org' });
    expect(privateUrl.statusCode).toBe(400);
    expect(privateUrl.body).not.toContain(LISTMONK.token);
    expect(privateUrl.body).toContain('value="https://internal.example.org"');
    const noLists = await admin.post('/admin/connectors', { ...LISTMONK, lists: '' });
    expect(noLists.statusCode).toBe(400);
    expect(h.deps.connectors.connectors.items.size).toBe(0);
  });

  it('removes a connector only after a confirmation page that names it', async () => {
    const h = setup();
    const admin = as(h, await signedIn(h, 'admin'));
    await admin.post('/admin/connectors', LISTMONK);
    const [connector] = h.deps.connectors.connectors.items.values();
    const id = connector?.id ?? '';
    const asked = await admin.post(`/admin/connectors/${id}/remove`);
    expect(asked.body).toContain('Remove the connector to listmonk at https://lists.example.org?');
    expect(h.deps.connectors.connectors.items.has(id)).toBe(true);
    expect((await admin.post(`/admin/connectors/${id}/remove`, { confirm: 'yes' })).statusCode).toBe(303);
    expect(h.deps.connectors.connectors.items.has(id)).toBe(false);
    expect(h.audit.entries.filter((e) => e.action === 'connector.remove').map((e) => e.target)).toEqual([`${id} listmonk`]);
  });

  it('starts a backfill from its button: the first slice queued, audited, its progress shown; pressed again while it runs, it only nudges', async () => {
    const h = setup();
    const admin = as(h, await signedIn(h, 'admin'));
    await admin.post('/admin/connectors', LISTMONK);
    const [connector] = h.deps.connectors.connectors.items.values();
    const id = connector?.id ?? '';
    const page = await admin.get('/admin/connectors');
    expect(page.body).toContain(`<form method="post" action="/admin/connectors/${id}/backfill"><input type="hidden" name="csrf"`);
    expect(page.body).toContain('Push every confirmed reader to listmonk at https://lists.example.org</button>');

    const started = await admin.post(`/admin/connectors/${id}/backfill`);
    expect(started.statusCode).toBe(303);
    expect(started.headers.location).toBe('/admin/connectors');
    expect(h.backfillQueue.jobs).toEqual([{ connector: id, step: 1, delaySeconds: 0 }]);
    expect(h.deps.connectors.connectors.items.get(id)?.backfill).toMatchObject({ state: 'running', pushed: 0, step: 1 });
    expect((await admin.get('/admin/connectors')).body).toContain('running: 0 pushed, started');

    // Pressed again: the same run's slice queued again (the lease drops a duplicate), no second run.
    expect((await admin.post(`/admin/connectors/${id}/backfill`)).statusCode).toBe(303);
    expect(h.backfillQueue.jobs.map((j) => j.step)).toEqual([1, 1]);
    expect(h.audit.entries.filter((e) => e.action === 'connector.backfill').map((e) => e.target)).toEqual([`${id} running`, `${id} running`]);
  });

  it('starts a backfill only for an admin, with the session\'s CSRF token, for a connector that exists', async () => {
    const h = setup();
    const admin = as(h, await signedIn(h, 'admin'));
    await admin.post('/admin/connectors', LISTMONK);
    const [connector] = h.deps.connectors.connectors.items.values();
    const id = connector?.id ?? '';
    const exporter = as(h, await signedIn(h, 'exporter'));
    expect((await exporter.post(`/admin/connectors/${id}/backfill`)).statusCode).toBe(403);
    const session = await h.signIn('admin@example.org');
    expect((await h.request('POST', `/admin/connectors/${id}/backfill`, { cookie: session.cookie, form: { csrf: 'forged' } })).statusCode).toBe(403);
    expect((await admin.post('/admin/connectors/cn_00000000000000ff/backfill')).statusCode).toBe(404);
    expect((await admin.post(`/admin/connectors/${id}/rename`)).statusCode).toBe(404);
    expect(h.backfillQueue.jobs).toEqual([]);
    expect(h.deps.connectors.connectors.items.get(id)?.backfill).toBeUndefined();
    expect(h.audit.entries.filter((e) => e.action === 'connector.backfill')).toEqual([]);
  });

  it('says a backfill\'s state in the page\'s language, and why a failed one stopped; a failed one resumes from where it was', async () => {
    const h = setup();
    const admin = as(h, await signedIn(h, 'admin'));
    await admin.post('/admin/connectors', LISTMONK);
    const [connector] = h.deps.connectors.connectors.items.values();
    const id = connector?.id ?? '';
    Object.assign(connector ?? {}, {
      backfill: { state: 'failed', pushed: 40, total: 100, startedAt: '2026-11-25T08:00:00.000Z', finishedAt: '2026-11-25T08:05:00.000Z', error: 'listmonk refused the request: invalid API credentials', step: 1, cursor: { shard: 2, after: 'x' } },
    });
    const inEnglish = await admin.get('/admin/connectors');
    expect(inEnglish.body).toContain('failed: 40 of 100 pushed');
    expect(inEnglish.body).toContain('The tool answered: listmonk refused the request: invalid API credentials');
    const session = await h.signIn('admin@example.org');
    const inUkrainian = await h.request('GET', '/admin/connectors', { cookie: session.cookie, headers: { 'accept-language': 'uk' } });
    expect(inUkrainian.body).toContain('не вдалося: передано 40 з 100');
    expect(inUkrainian.body).not.toContain('failed:');
    const inSpanish = await h.request('GET', '/admin/connectors', { cookie: session.cookie, headers: { 'accept-language': 'es' } });
    expect(inSpanish.body).toContain('fallido: 40 de 100 enviados');
    expect(inSpanish.body).toContain('Enviar todos los lectores confirmados a');

    expect((await admin.post(`/admin/connectors/${id}/backfill`)).statusCode).toBe(303);
    expect(h.deps.connectors.connectors.items.get(id)?.backfill).toMatchObject({ state: 'running', pushed: 40, step: 2, cursor: { shard: 2, after: 'x' } });
    expect(h.backfillQueue.jobs).toEqual([{ connector: id, step: 2, delaySeconds: 0 }]);
    Object.assign(h.deps.connectors.connectors.items.get(id)?.backfill ?? {}, { state: 'done', pushed: 100 });
    const inPolish = await h.request('GET', '/admin/connectors', { cookie: session.cookie, headers: { 'accept-language': 'pl' } });
    expect(inPolish.body).toContain('zakończono: przesłano 100 z 100');
  });
});
