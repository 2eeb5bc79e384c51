import { describe, expect, it } from 'vitest';
import { createAdminToken } from '../../../functions/core/admin/admin.js';
import { processMailJob } from '../../../functions/core/mail/mail.js';
import { addressKey } from '../../../functions/core/shared/email-address.js';
import { requestSubscription } from '../../../functions/core/subscriptions/subscriptions.js';
import { campaignSettings } from '../../support/donation-fakes.js';
import { httpEvent } from '../../support/events.js';
import { actingAs, type Harness, setup, signedIn } from './harness.js';

// The console's dashboard, campaigns, exports and data requests: each page's least role (a 403 page for the others,
// and no change), the CSRF token on every form, and what each form does and records in the audit log.

/** A GET and a POST (with the session's CSRF token) as the signed-in editor. */
const as = actingAs;

const addCampaign = async (h: Harness, overrides: Parameters<typeof campaignSettings>[0] = {}) => h.deps.campaigns.saveSettings(campaignSettings(overrides), h.t.clock.now());

describe('the dashboard in the console', () => {
  it('shows the last 30 days by default, each period on request, with its charts and tables', async () => {
    const h = setup();
    const viewer = as(h, await signedIn(h, 'viewer'));
    const today = h.t.clock.now().toISOString().slice(0, 10);
    h.deps.counters.add('list', { day: today, counts: { signups: 3 } });
    const page = await viewer.get('/admin');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<svg');
    expect(page.body).toContain('<a href="/admin?days=30" aria-current="page">30 days</a>');
    expect(h.deps.counters.reads.at(-1)).toHaveLength(30);
    const week = await viewer.get('/admin', 'days=7');
    expect(week.body).toContain('<a href="/admin?days=7" aria-current="page">7 days</a>');
    expect(h.deps.counters.reads.at(-1)).toHaveLength(7);
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    const bad = await viewer.get('/admin', 'days=401');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('1 to 400');
  });

  it('serves GET /v1/admin/dashboard to any editor\'s session or an admin token, 401 to neither, reading nothing then', async () => {
    const h = setup();
    const viewer = await signedIn(h, 'viewer');
    const get = (headers: Record<string, string>, query?: string, cookie?: string) => {
      const event = httpEvent({ method: 'GET', path: '/v1/admin/dashboard', query, headers });
      if (cookie) event.cookies = [cookie];
      return h.handler(event);
    };
    const bySession = await get({}, 'days=7', viewer.cookie);
    expect(bySession.statusCode).toBe(200);
    expect(JSON.parse(bySession.body ?? '').days).toHaveLength(7);
    const { token } = await createAdminToken(h.deps, 'script');
    const byToken = await get({ authorization: `Bearer ${token}` });
    expect(JSON.parse(byToken.body ?? '').days).toHaveLength(30);
    const reads = h.deps.counters.reads.length;
    const none = await get({});
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer realm="appeal"');
    expect((await get({ authorization: 'Bearer apl_wrong' })).statusCode).toBe(401);
    expect(h.deps.counters.reads).toHaveLength(reads);
    const bad = await get({ authorization: `Bearer ${token}` }, 'days=0');
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body ?? '')).toMatchObject({ error: { code: 'invalid_field', field: 'days' } });
  });
});

describe('campaigns in the console', () => {
  it('lets a viewer read the campaigns with their progress, and nothing else: 403 to every change', async () => {
    const h = setup();
    await addCampaign(h, { title: 'Spring appeal', goal: 500_000 });
    const viewer = as(h, await signedIn(h, 'viewer'));
    const list = await viewer.get('/admin/campaigns');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Spring appeal');
    expect(list.body).toContain('$0 of $5,000');
    expect(list.body).not.toContain('/admin/campaigns/edit');
    for (const path of ['/admin/campaigns/edit', '/admin/campaigns/close']) expect((await viewer.get(path, 'id=ukraine')).statusCode).toBe(403);
    for (const [path, form] of [
      ['/admin/campaigns', { mode: 'create', id: 'new-one', title: 'New', currency: 'usd', goal: '100' }],
      ['/admin/campaigns/close', { id: 'ukraine', confirm: 'yes' }],
      ['/admin/campaigns/reopen', { id: 'ukraine' }],
    ] as const) {
      const answer = await viewer.post(path, form);
      expect(answer.statusCode, path).toBe(403);
      expect(answer.body).toContain('Not allowed');
    }
    expect((await h.deps.campaigns.list()).map((c) => [c.id, c.open])).toEqual([['ukraine', true]]);
  });

  it('creates a campaign with the CLI\'s rules: amounts typed in major units, the currency\'s default bounds, open', async () => {
    const h = setup();
    const editor = as(h, await signedIn(h, 'fundraiser'));
    expect((await editor.get('/admin/campaigns/edit')).body).toContain('<select id="currency" name="currency"');
    const created = await editor.post('/admin/campaigns', { mode: 'create', id: 'spring', title: 'Spring appeal', currency: 'eur', goal: '25,000.50', suggested: '10 25 50' });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe('/admin/campaigns');
    expect(await h.deps.campaigns.get('spring')).toMatchObject({ currency: 'eur', goal: 2_500_050, open: true, minAmount: 100, maxAmount: 10_000_000, suggestedAmounts: [1000, 2500, 5000] });
    expect(h.audit.entries.at(-1)).toMatchObject({ actor: 'fundraiser@example.org', action: 'campaign.save', target: 'spring created' });
  });

  it('refuses what the CLI refuses, showing the form again with what was typed', async () => {
    const h = setup();
    await addCampaign(h);
    const editor = as(h, await signedIn(h, 'fundraiser'));
    const post = (form: Record<string, string>) => editor.post('/admin/campaigns', { mode: 'create', id: 'other', title: 'Other', currency: 'usd', goal: '100', ...form });
    const currency = await post({ currency: 'jpy' });
    expect(currency.statusCode).toBe(400);
    expect(currency.body).toContain('Choose one of USD, EUR, GBP');
    const taken = await post({ id: 'ukraine' });
    expect(taken.statusCode).toBe(409);
    expect(taken.body).toContain('There is already a campaign');
    const amount = await post({ goal: '12,50', title: 'Kept as typed' });
    expect(amount.statusCode).toBe(400);
    expect(amount.body).toContain('value="Kept as typed"');
    expect(amount.body).toContain('id="goal" name="goal" value="12,50" aria-invalid="true"');
    expect((await post({ id: 'Bad Id' })).statusCode).toBe(400);
    expect((await post({ minAmount: '50', maxAmount: '10' })).body).toContain('The minimum gift is above the maximum.');
    expect((await h.deps.campaigns.list()).map((c) => c.id)).toEqual(['ukraine']);
  });

  it('edits a campaign\'s settings and keeps its currency, its other settings and whether it is open', async () => {
    const h = setup();
    await addCampaign(h, { open: false });
    const editor = as(h, await signedIn(h, 'fundraiser'));
    const form = await editor.get('/admin/campaigns/edit', 'id=ukraine');
    expect(form.body).toContain('<strong>USD</strong>');
    expect(form.body).not.toContain('<select id="currency"');
    expect(form.body).toContain('value="10000.00"');
    expect((await editor.post('/admin/campaigns', { mode: 'edit', id: 'ukraine', title: 'Renamed', goal: '20000', minAmount: '1', maxAmount: '100000', suggested: '5 10' })).statusCode).toBe(303);
    expect(await h.deps.campaigns.get('ukraine')).toMatchObject({ title: 'Renamed', goal: 2_000_000, currency: 'usd', open: false, suggestedAmounts: [500, 1000] });
    const other = await editor.post('/admin/campaigns', { mode: 'edit', id: 'ukraine', title: 'Renamed', currency: 'eur', goal: '20000' });
    expect(other.statusCode).toBe(409);
    expect(other.body).toContain('cannot change once it is created');
    expect((await editor.post('/admin/campaigns', { mode: 'edit', id: 'nowhere', title: 'X', goal: '1' })).statusCode).toBe(404);
  });

  it('closes a campaign only after its confirmation page, and reopens it only when asked to', async () => {
    const h = setup();
    await addCampaign(h);
    const editor = as(h, await signedIn(h, 'fundraiser'));
    const confirm = await editor.get('/admin/campaigns/close', 'id=ukraine');
    expect(confirm.body).toContain('Close Support Ukraine?');
    expect(confirm.body).toContain('name="confirm" value="yes"');
    // A post without the confirmation page's answer asks again and changes nothing.
    const unconfirmed = await editor.post('/admin/campaigns/close', { id: 'ukraine' });
    expect(unconfirmed.statusCode).toBe(200);
    expect(unconfirmed.body).toContain('Close Support Ukraine?');
    expect((await h.deps.campaigns.get('ukraine'))?.open).toBe(true);
    expect((await editor.post('/admin/campaigns/close', { id: 'ukraine', confirm: 'yes' })).statusCode).toBe(303);
    expect((await h.deps.campaigns.get('ukraine'))?.open).toBe(false);
    expect((await editor.get('/admin/campaigns/edit', 'id=ukraine')).body).toContain('action="/admin/campaigns/reopen"');
    expect((await editor.post('/admin/campaigns/reopen', { id: 'ukraine' })).statusCode).toBe(303);
    expect((await h.deps.campaigns.get('ukraine'))?.open).toBe(true);
    expect(h.audit.entries.filter((e) => e.action === 'campaign.save').map((e) => e.target)).toEqual(['ukraine closed', 'ukraine reopened']);
  });
});

describe('exports in the console', () => {
  it('offers exports to exporters only: a fundraiser gets 403 and starts nothing', async () => {
    const h = setup();
    const fundraiser = as(h, await signedIn(h, 'fundraiser'));
    expect((await fundraiser.get('/admin/exports')).statusCode).toBe(403);
    expect((await fundraiser.post('/admin/exports', { kind: 'subscribers' })).statusCode).toBe(403);
    expect(h.started).toEqual([]);
    expect((await fundraiser.get('/admin')).body).not.toContain('href="/admin/exports"');
  });

  it('starts an export, shows its progress until done, then its download link, recorded as the editor\'s', async () => {
    const h = setup();
    const exporter = as(h, await signedIn(h, 'exporter'));
    const form = await exporter.get('/admin/exports');
    expect(form.body).toContain('<option value="news">news</option>');
    const started = await exporter.post('/admin/exports', { kind: 'subscribers', status: 'confirmed', list: 'news', campaign: '', since: '2026-11-01', until: '' });
    expect(started.statusCode).toBe(303);
    const id = /^\/admin\/exports\/(exp_[\w-]{16})$/.exec(started.headers.location ?? '')?.[1] ?? '';
    expect(h.started).toEqual([id]);
    expect(await h.jobs.get(id)).toMatchObject({ by: 'exporter@example.org', filters: { status: 'confirmed', list: 'news', since: '2026-11-01T00:00:00.000Z' } });
    const running = await exporter.get(`/admin/exports/${id}`);
    expect(running.body).toContain('<meta http-equiv="refresh" content="2">');
    expect(running.body).not.toContain('/download');
    await h.jobs.finish(id, { status: 'done', rows: 12, objectKey: `exports/${id}.csv` }, h.t.clock.now());
    const done = await exporter.get(`/admin/exports/${id}`);
    expect(done.body).not.toContain('http-equiv="refresh"');
    expect(done.body).toContain('Done: 12 rows.');
    expect(done.body).toContain(`href="/admin/exports/${id}/download"`);
    const history = await exporter.get('/admin/exports');
    expect(history.body).toMatch(/exporter@example\.org<\/td><td>Subscribers<\/td><td>Status <span class="mono">confirmed<\/span> · List <span class="mono">news<\/span>.*<\/td><td>Done<\/td><td>12<\/td>/);
    const download = await exporter.get(`/admin/exports/${id}/download`);
    expect(download.statusCode).toBe(303);
    expect(download.headers.location).toBe(`https://exports.example.org/exports/${id}.csv?expires=900`);
    expect(h.audit.entries.filter((e) => e.action.startsWith('export.')).map((e) => [e.actor, e.action, e.target])).toEqual([
      ['exporter@example.org', 'export.start', `${id} {"kind":"subscribers","status":"confirmed","list":"news","since":"2026-11-01T00:00:00.000Z"}`],
      ['exporter@example.org', 'export.download', id],
    ]);
    // Seven days on, the bucket has deleted the file: no link, and the download route says so.
    h.t.clock.advance(7 * 86_400);
    const later = as(h, await h.signIn('exporter@example.org'));
    expect((await later.get('/admin/exports')).body).toContain('Deleted');
    expect((await later.get('/admin/exports')).body).not.toContain('/download');
    const gone = await later.get(`/admin/exports/${id}/download`);
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toContain('files are kept 7 days');
  });

  it('refuses filters the admin API refuses, with its words, and starts nothing', async () => {
    const h = setup();
    const exporter = as(h, await signedIn(h, 'exporter'));
    const other = await exporter.post('/admin/exports', { kind: 'subscribers', status: 'refunded' });
    expect(other.statusCode).toBe(400);
    expect(other.body).toContain('is a donation status');
    expect(other.body).toContain('<option value="refunded" selected>');
    expect((await exporter.post('/admin/exports', { kind: 'donations', campaign: 'nowhere' })).body).toContain('There is no campaign');
    expect((await exporter.post('/admin/exports', { kind: 'subscribers', since: '2026-02-30' })).statusCode).toBe(400);
    expect((await exporter.post('/admin/exports', { kind: 'everything' })).statusCode).toBe(400);
    expect(h.started).toEqual([]);
    expect((await exporter.get('/admin/exports/exp_AAAAAAAAAAAAAAAA')).statusCode).toBe(404);
  });
});

describe('data requests in the console', () => {
  const subscribe = async (h: Harness, email: string) => {
    await requestSubscription(h.t.deps, { email, name: 'Rea Der', lists: [], source: 'https://news.example/story', client: { ip: '203.0.113.1', userAgent: 'Firefox' } });
    for (const job of h.t.queue.take()) await processMailJob(h.t.mailDeps, job);
  };

  it('offers data requests to exporters only: a fundraiser gets 403, and nothing is shown or erased', async () => {
    const h = setup();
    await subscribe(h, 'reader@example.org');
    const fundraiser = as(h, await signedIn(h, 'fundraiser'));
    expect((await fundraiser.get('/admin/people')).statusCode).toBe(403);
    const show = await fundraiser.post('/admin/people', { email: 'reader@example.org' });
    expect(show.statusCode).toBe(403);
    expect(show.body).not.toContain('Rea Der');
    expect((await fundraiser.post('/admin/people/erase', { email: 'reader@example.org', confirm: 'reader@example.org' })).statusCode).toBe(403);
    expect(await h.t.subscribers.get('reader@example.org')).toBeDefined();
    expect(h.audit.entries.filter((e) => e.action.startsWith('subscriber.'))).toEqual([]);
  });

  it('shows everything held (record, consent evidence) and records the request, without the address in any URL', async () => {
    const h = setup();
    await subscribe(h, 'reader@example.org');
    const exporter = as(h, await signedIn(h, 'exporter'));
    const page = await exporter.post('/admin/people', { email: ' Reader@Example.org ' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>reader@example.org</h1>');
    expect(page.body).toContain('Rea Der');
    expect(page.body).toContain('https://news.example/story');
    expect(page.body).toContain('Consent evidence');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).not.toMatch(/href="[^"]*reader/);
    const nothing = await exporter.post('/admin/people', { email: 'stranger@example.org' });
    expect(nothing.body).toContain('We hold no subscriber record and no donation');
    expect((await exporter.post('/admin/people', { email: 'not an address' })).statusCode).toBe(400);
    expect(h.audit.entries.filter((e) => e.action === 'subscriber.show').map((e) => [e.actor, e.target])).toEqual([
      ['exporter@example.org', 'reader@example.org'],
      ['exporter@example.org', 'stranger@example.org'],
    ]);
  });

  it('erases only once the address is typed again on the page that names it', async () => {
    const h = setup();
    await subscribe(h, 'reader@example.org');
    const exporter = as(h, await signedIn(h, 'exporter'));
    const ask = await exporter.post('/admin/people/erase', { email: 'reader@example.org' });
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('Erase reader@example.org?');
    expect(ask.body).toContain('Type reader@example.org again to confirm');
    const wrong = await exporter.post('/admin/people/erase', { email: 'reader@example.org', confirm: 'other@example.org' });
    expect(wrong.statusCode).toBe(400);
    expect(await h.t.subscribers.get('reader@example.org')).toBeDefined();
    const erased = await exporter.post('/admin/people/erase', { email: 'reader@example.org', confirm: 'READER@example.org' });
    expect(erased.statusCode).toBe(200);
    expect(erased.body).toContain('reader@example.org is erased');
    expect(await h.t.subscribers.get('reader@example.org')).toBeUndefined();
    expect(await h.t.suppressions.get(addressKey(h.deps.keys, 'reader@example.org'))).toMatchObject({ reason: 'erased' });
    expect(h.audit.entries.filter((e) => e.action === 'subscriber.erase').map((e) => [e.actor, e.target])).toEqual([['exporter@example.org', 'reader@example.org']]);
  });
});

describe('the new forms and the CSRF token', () => {
  it.each([
    ['/admin/campaigns', { mode: 'create', id: 'x', title: 'X', currency: 'usd', goal: '1' }],
    ['/admin/campaigns/close', { id: 'ukraine', confirm: 'yes' }],
    ['/admin/campaigns/reopen', { id: 'ukraine' }],
    ['/admin/exports', { kind: 'subscribers' }],
    ['/admin/people', { email: 'reader@example.org' }],
    ['/admin/people/erase', { email: 'reader@example.org', confirm: 'reader@example.org' }],
  ])('refuses %s without the session\'s token, or from another origin, and changes nothing', async (path, form) => {
    const h = setup();
    await addCampaign(h);
    const admin = await signedIn(h, 'admin');
    expect((await h.request('POST', path, { cookie: admin.cookie, form })).statusCode).toBe(403);
    expect((await h.request('POST', path, { cookie: admin.cookie, form: { ...form, csrf: 'x'.repeat(43) } })).statusCode).toBe(403);
    expect((await h.request('POST', path, { cookie: admin.cookie, form: { ...form, csrf: admin.csrf }, headers: { origin: 'https://evil.example' } })).statusCode).toBe(403);
    expect(h.audit.entries.map((e) => e.action)).toEqual(['signin']);
    expect(h.started).toEqual([]);
    expect((await h.deps.campaigns.list()).map((c) => [c.id, c.open])).toEqual([['ukraine', true]]);
  });
});
