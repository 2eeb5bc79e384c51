import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAdminTokens } from '../../functions/adapters/dynamo-admin.js';
import { DynamoCampaignRepository } from '../../functions/adapters/dynamo-donations.js';
import { createAdminToken } from '../../functions/core/admin/admin.js';
import { documentClient } from '../../functions/platform/clients.js';
import { campaignSettings } from '../support/donation-fakes.js';
import { linkIn, postJson, startTestServer, type TestServer } from '../support/dev-server.js';

// Exports people open in Excel, and a data request, through the dev server's admin API.

let server: TestServer;
let token: string;
const limits = { SIGNUP_ADDRESS_LIMIT_PER_HOUR: '1000', SIGNUP_CLIENT_LIMIT_PER_MINUTE: '1000', LINK_CLIENT_LIMIT_PER_MINUTE: '1000', CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000' };

beforeAll(async () => {
  server = await startTestServer({ ...limits, CURRENCIES: 'usd,jpy' });
  const dynamo = documentClient(server.clientOptions);
  token = (await createAdminToken({ tokens: new DynamoAdminTokens(dynamo, server.tables.subscribers), clock: { now: () => new Date() } }, 'excel tests')).token;
  await new DynamoCampaignRepository(dynamo, server.tables.donations).saveSettings(campaignSettings({ id: 'tokyo', title: 'Tokyo appeal', currency: 'jpy', suggestedAmounts: [1000], minAmount: 100, maxAmount: 1_000_000 }), new Date());
});
afterAll(() => server?.stop());

const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

const give = async (campaign: string, amount: number, currency: string, email: string, name: string) => {
  const checkout = (await (await postJson(`${server.url}/v1/donations/checkout`, { campaign, amount, currency, email })).json()) as { id: string };
  const paid = (await (await postJson(`${server.url}/_local/stripe/checkout/${checkout.id}/complete`, { name })).json()) as { paymentIntent: string };
  expect(paid.paymentIntent).toMatch(/^pi_/);
  return paid.paymentIntent;
};

/** Runs an export to the end and downloads its bytes, exactly as stored. */
const exportBytes = async (request: Record<string, unknown>) => {
  const started = await admin('POST', '/v1/admin/exports', request);
  expect(started.status, await started.clone().text()).toBe(202);
  const { id } = (await started.json()) as { id: string };
  for (let i = 0; i < 200; i++) {
    const state = (await (await admin('GET', `/v1/admin/exports/${id}`)).json()) as { status: string; rows: number; url?: string };
    if (state.status === 'done') return { rows: state.rows, bytes: Buffer.from(await (await fetch(state.url ?? '')).arrayBuffer()) };
    if (state.status === 'failed') throw new Error(`export ${id} failed`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('export did not finish');
};

/** A minimal RFC 4180 reader (quoted cells, doubled quotes, CRLF records), as a spreadsheet reads the file. */
const parseCsv = (text: string) => {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    i += 1;
    if (quoted && c === '"' && next === '"') {
      cell += '"';
      i += 1;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (!quoted && c === ',') {
      row.push(cell);
      cell = '';
    } else if (!quoted && c === '\r' && next === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i += 1;
    } else {
      cell += c;
    }
  }
  return rows;
};

describe('exports people open in Excel', () => {
  it('are UTF-8 with a byte-order mark first, and give donations in major units: 25.00 in USD, 3000 in JPY', async () => {
    const usd = await give('ukraine', 2500, 'usd', 'excel.usd@example.org', 'Zoë Ünal');
    await postJson(`${server.url}/_local/stripe/payments/${usd}/refund`, { amount: 1050 });
    const jpy = await give('tokyo', 3000, 'jpy', 'excel.jpy@example.org', '山田 花子');

    const { bytes } = await exportBytes({ kind: 'donations' });
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.indexOf(Buffer.from([0xef, 0xbb, 0xbf]), 3)).toBe(-1); // one mark, never again mid-file
    const text = bytes.subarray(3).toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual(['id', 'created_at', 'campaign', 'amount', 'currency', 'frequency', 'status', 'donor_email', 'donor_name', 'refunded_amount', 'amount_decimal', 'refunded_decimal', 'source', 'referrer', 'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'component', 'variant', 'fee_covered', 'tribute_type', 'tribute_name', 'anonymous']);
    const byId = new Map(rows.map((row) => [row[0], Object.fromEntries(header?.map((name, i) => [name, row[i]]) ?? [])]));
    expect(byId.get(usd)).toMatchObject({ amount: '2500', currency: 'usd', status: 'partially_refunded', donor_name: 'Zoë Ünal', refunded_amount: '1050', amount_decimal: '25.00', refunded_decimal: '10.50' });
    expect(byId.get(jpy)).toMatchObject({ amount: '3000', currency: 'jpy', status: 'paid', donor_name: '山田 花子', refunded_amount: '0', amount_decimal: '3000', refunded_decimal: '0' });
    for (const row of rows) expect(row).toHaveLength(header?.length ?? 0);
  });

  it('give the subscriber CSV the byte-order mark too', async () => {
    await postJson(`${server.url}/v1/subscriptions`, { email: 'excel.reader@example.org', name: 'Ærøskøbing' });
    await server.mailIdle();
    const { bytes, rows } = await exportBytes({ kind: 'subscribers', status: 'pending' });
    expect(rows).toBeGreaterThanOrEqual(1);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toMatch(/^email,name,status,lists,subscribed_at,confirmed_at,unsubscribed_at,source[,\r]/);
    expect(bytes.toString('utf8')).toContain('excel.reader@example.org,Ærøskøbing,pending,news,');
  });

  it('take a date for --since and --until: a whole UTC day', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const all = await exportBytes({ kind: 'donations' });
    expect((await exportBytes({ kind: 'donations', since: today })).rows).toBe(all.rows);
    expect((await exportBytes({ kind: 'donations', until: today })).rows).toBe(all.rows);
    expect((await exportBytes({ kind: 'donations', since: tomorrow })).rows).toBe(0);
    expect((await exportBytes({ kind: 'subscribers', status: 'pending', since: '2026-01-01', until: today })).rows).toBeGreaterThanOrEqual(1);
  });

  it('refuse a filter that names an unknown list or campaign, or a status of the other kind: 400 invalid_field, not an empty file', async () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ kind: 'subscribers', list: 'nope' }, 'list', /^There is no list "nope": the lists are news\.$/],
      [{ kind: 'donations', campaign: 'nope' }, 'campaign', /^There is no campaign "nope": the campaigns are tokyo, ukraine\.$/],
      [{ kind: 'donations', status: 'confirmed' }, 'status', /^"confirmed" is a subscriber status: a donations export takes paid, /],
      [{ kind: 'subscribers', status: 'refunded' }, 'status', /^"refunded" is a donation status: a subscribers export takes pending, /],
      [{ kind: 'donations', since: '2026-02-30' }, 'since', /2026-11-01/],
    ];
    for (const [body, field, message] of cases) {
      const response = await admin('POST', '/v1/admin/exports', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: 'invalid_field', field, message: expect.stringMatching(message) } });
    }
    expect((await exportBytes({ kind: 'donations', status: 'partially_refunded', campaign: 'ukraine' })).rows).toBe(1);
  });
});

describe('a data request', () => {
  it('lists the donations held for the address, for a subscriber, a donor who never subscribed, and after an erase', async () => {
    const pi = await give('ukraine', 5000, 'usd', 'dsar.donor@example.org', 'Dana Donor');
    const donorOnly = (await (await admin('GET', '/v1/admin/subscribers/dsar.donor%40example.org')).json()) as Record<string, unknown>;
    expect(donorOnly).toEqual({
      email: 'dsar.donor@example.org',
      donations: [{ id: pi, createdAt: expect.any(String), campaign: 'ukraine', amount: 5000, currency: 'usd', frequency: 'once', status: 'paid', refunded: 0, name: 'Dana Donor' }],
    });

    await postJson(`${server.url}/v1/subscriptions`, { email: 'dsar.donor@example.org' });
    const [mail] = await server.mailTo('dsar.donor@example.org').then((all) => all.filter((m) => m.subject.startsWith('Please confirm')));
    await postJson(linkIn(mail?.text ?? '', '/v1/subscriptions/confirm'), undefined);
    await server.mailIdle();
    expect(await (await admin('GET', '/v1/admin/subscribers/DSAR.Donor%40example.org')).json()).toMatchObject({ status: 'confirmed', donations: [{ id: pi }] });

    expect((await admin('DELETE', '/v1/admin/subscribers/dsar.donor@example.org')).status).toBe(204);
    expect(await (await admin('GET', '/v1/admin/subscribers/dsar.donor@example.org')).json()).toMatchObject({
      status: 'suppressed',
      donations: [{ id: pi, amount: 5000 }],
    });
  });
});
