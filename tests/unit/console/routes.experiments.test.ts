import { describe, expect, it } from 'vitest';
import { campaignSettings } from '../../support/donation-fakes.js';
import { actingAs, type Harness, setup, signedIn } from './harness.js';

// The console's experiments: who may see them (fundraisers and above), what a campaign's page shows (each variant's
// numbers with their intervals, the verdict, cumulative revenue per 1,000 views day by day), and the two changes an
// editor may make (end the experiment keeping a variant, asked twice; let the allocation follow the results), each
// recorded in the audit log and refused without the session's CSRF token or from another origin.

const as = actingAs;

const DAY1 = '2026-11-24';
const DAY2 = '2026-11-25';

/** Campaign `ukraine` with variant `b` (set on DAY1), and `quiet` with none. */
const withExperiment = async (h: Harness) => {
  await h.deps.campaigns.saveSettings(campaignSettings(), h.t.clock.now());
  await h.deps.campaigns.saveSettings(campaignSettings({ id: 'quiet', title: 'Quiet appeal' }), h.t.clock.now());
  await h.deps.results.experiments.setVariant('ukraine', { id: 'b', weight: 1, headline: 'Every gift counts' }, new Date(`${DAY1}T08:00:00Z`));
  return h.deps.results;
};

const cells = (row: string) => Array.from(row.matchAll(/<td>(.*?)<\/td>/g), (m) => m[1]);
const rowOf = (body: string, start: string) => body.split('<tr>').find((row) => row.startsWith(start)) ?? '';

describe('the experiments pages', () => {
  it('are for fundraisers and above: a viewer gets the 403 page and no link, a fundraiser the link and the page', async () => {
    const h = setup();
    await withExperiment(h);
    const viewer = as(h, await signedIn(h, 'viewer'));
    for (const path of ['/admin/experiments', '/admin/experiments/ukraine']) {
      const refused = await viewer.get(path);
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('<h1>');
    }
    expect((await viewer.get('/admin/campaigns')).body).not.toContain('href="/admin/experiments"');
    const fundraiser = as(h, await signedIn(h, 'fundraiser'));
    const list = await fundraiser.get('/admin/experiments');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('<a href="/admin/experiments" aria-current="page">Experiments</a>');
    expect((await as(h, await signedIn(h, 'exporter')).get('/admin/experiments')).statusCode).toBe(200);
  });

  it('list each campaign that has variants, linking to its page, and no other', async () => {
    const h = setup();
    await withExperiment(h);
    const fundraiser = as(h, await signedIn(h, 'fundraiser'));
    const list = await fundraiser.get('/admin/experiments');
    expect(list.body).toContain('<a href="/admin/experiments/ukraine">Results for Support Ukraine</a>');
    expect(list.body).toContain('Running');
    expect(list.body).not.toContain('quiet');
    expect((await fundraiser.get('/admin/experiments/nowhere')).statusCode).toBe(404);
  });

  it("show each variant's numbers, the verdict and cumulative revenue per 1,000 views per day, as computed by hand", async () => {
    const h = setup();
    const results = await withExperiment(h);
    results.events.record('ukraine', DAY1, 'control', { views: 100, clicks: 7 });
    results.gifts.record('ukraine', DAY1, 'control', [2500]);
    results.events.record('ukraine', DAY2, 'control', { views: 100, clicks: 3 });
    results.events.record('ukraine', DAY2, 'b', { views: 50, clicks: 5 });
    results.gifts.record('ukraine', DAY2, 'b', [1000]);
    const page = await as(h, await signedIn(h, 'fundraiser')).get('/admin/experiments/ukraine');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).not.toContain('unsafe-inline');
    // Control: 200 views, 10 clicks, 1 gift of $25: 0.5 % of views gave; $25 × 1000 / 200 = $125 per 1,000 views.
    const control = cells(rowOf(page.body, '<th scope="row">control'));
    expect(control.slice(0, 6)).toEqual(['1', '200', '10', '1', '$25', '0.5% (0.09% to 2.78%)']);
    expect(control[6]).toMatch(/^\$125 \(\$\S+ to \$\S+\)$/);
    expect(control[7]).toBe('–');
    // b: 50 views, 1 gift of $10: 2 %; $10 × 1000 / 50 = $200 per 1,000 views; its chance of beating the control.
    const b = cells(rowOf(page.body, '<th scope="row">b<br>'));
    expect(b.slice(0, 5)).toEqual(['1', '50', '5', '1', '$10']);
    expect(b[5]).toMatch(/^2% \(/);
    expect(b[6]).toMatch(/^\$200 \(/);
    expect(b[7]).toMatch(/^\d+(\.\d)?%$/);
    expect(rowOf(page.body, '<th scope="row">b<br>')).toContain('“Every gift counts”');
    expect(page.body).toContain('Not enough data yet: a result needs at least 1,000 views of each variant and 20 gifts');
    expect(page.body).toContain('so far: 50 views of “b”, 2 gifts in all');
    // The chart and its table: end of DAY1, control $2,500 × 1000 / 100 = $250 and no view of b yet; end of DAY2 $125 and $200.
    expect(page.body).toMatch(/<svg class="chart" role="img"[^>]*aria-labelledby="chart-rpm-t chart-rpm-d"/);
    const table = page.body.slice(page.body.indexOf('<table class="chart-table">'));
    expect(cells(rowOf(table, '<th scope="row">24 Nov 2026'))).toEqual(['$250', '–']);
    expect(cells(rowOf(table, '<th scope="row">25 Nov 2026'))).toEqual(['$125', '$200']);
  });

  it('name a winner only under the rule, and offer to keep it', async () => {
    const h = setup();
    const results = await withExperiment(h);
    results.events.record('ukraine', DAY1, 'control', { views: 10_000 });
    results.gifts.record('ukraine', DAY1, 'control', Array(100).fill(2500));
    results.events.record('ukraine', DAY1, 'b', { views: 10_000 });
    results.gifts.record('ukraine', DAY1, 'b', Array(200).fill(2500));
    const page = await as(h, await signedIn(h, 'fundraiser')).get('/admin/experiments/ukraine');
    expect(page.body).toContain('“b” brings more gifts than the control: 2% of its views gave, against 1%');
    expect(page.body).toContain('<option value="b" selected>b</option>');
  });

  it('end an experiment keeping the variant named on a confirmation page, and record it', async () => {
    const h = setup();
    const results = await withExperiment(h);
    const fundraiser = as(h, await signedIn(h, 'fundraiser'));
    const ask = await fundraiser.post('/admin/experiments/ukraine/end', { keep: 'b' });
    expect(ask.statusCode).toBe(200);
    expect(ask.body).toContain('<h1>Keep b for Support Ukraine?</h1>');
    expect(ask.body).toContain('<input type="hidden" name="confirm" value="yes">');
    expect((await results.experiments.get('ukraine'))?.variants.map((v) => v.weight)).toEqual([1, 1]);
    const ended = await fundraiser.post('/admin/experiments/ukraine/end', { keep: 'b', confirm: 'yes' });
    expect(ended.statusCode).toBe(303);
    expect(ended.headers.location).toBe('/admin/experiments/ukraine');
    expect((await results.experiments.get('ukraine'))?.variants.map((v) => [v.id, v.weight])).toEqual([['control', 0], ['b', 1]]);
    expect(h.audit.entries.filter((e) => e.action.startsWith('experiment.')).map((e) => [e.actor, e.action, e.target])).toEqual([['fundraiser@example.org', 'experiment.end', 'ukraine kept b']]);
    const page = await fundraiser.get('/admin/experiments/ukraine');
    expect(page.body).toContain('This experiment has ended: every page view shows b.');
    expect(page.body).not.toContain('action="/admin/experiments/ukraine/end"');
    expect((await fundraiser.get('/admin/experiments')).body).toContain('Ended: b kept');
    const unknown = await fundraiser.post('/admin/experiments/ukraine/end', { keep: 'zzz', confirm: 'yes' });
    expect(unknown.statusCode).toBe(404);
  });

  it('let the allocation follow the results and go back to the weights, recording each change', async () => {
    const h = setup();
    const results = await withExperiment(h);
    const fundraiser = as(h, await signedIn(h, 'fundraiser'));
    const page = await fundraiser.get('/admin/experiments/ukraine');
    expect(page.body).toContain('<input type="hidden" name="allocation" value="thompson">');
    expect((await fundraiser.post('/admin/experiments/ukraine/allocation', { allocation: 'thompson' })).statusCode).toBe(303);
    expect((await results.experiments.get('ukraine'))?.allocation).toBe('thompson');
    expect((await fundraiser.get('/admin/experiments/ukraine')).body).toContain('Views follow the results (Thompson sampling).');
    expect((await fundraiser.post('/admin/experiments/ukraine/allocation', { allocation: 'weights' })).statusCode).toBe(303);
    expect((await results.experiments.get('ukraine'))?.allocation).toBe('weights');
    expect((await fundraiser.post('/admin/experiments/ukraine/allocation', { allocation: 'sometimes' })).statusCode).toBe(400);
    expect(h.audit.entries.filter((e) => e.action.startsWith('experiment.')).map((e) => [e.action, e.target])).toEqual([
      ['experiment.allocate', 'ukraine thompson'],
      ['experiment.allocate', 'ukraine weights'],
    ]);
  });

  it.each([
    ['/admin/experiments/ukraine/end', { keep: 'b', confirm: 'yes' }],
    ['/admin/experiments/ukraine/allocation', { allocation: 'thompson' }],
  ])("refuse %s without the session's token, from another origin, or from a viewer, and change nothing", async (path, form) => {
    const h = setup();
    const results = await withExperiment(h);
    const admin = await signedIn(h, 'admin');
    expect((await h.request('POST', path, { cookie: admin.cookie, form })).statusCode).toBe(403);
    expect((await h.request('POST', path, { cookie: admin.cookie, form: { ...form, csrf: 'x'.repeat(43) } })).statusCode).toBe(403);
    expect((await h.request('POST', path, { cookie: admin.cookie, form: { ...form, csrf: admin.csrf }, headers: { origin: 'https://evil.example' } })).statusCode).toBe(403);
    expect((await as(h, await signedIn(h, 'viewer')).post(path, form)).statusCode).toBe(403);
    expect(h.audit.entries.map((e) => e.action)).toEqual(['signin', 'signin']);
    expect(await results.experiments.get('ukraine')).toMatchObject({ variants: [{ id: 'control', weight: 1 }, { id: 'b', weight: 1 }] });
    expect((await results.experiments.get('ukraine'))?.allocation).toBeUndefined();
  });
});
