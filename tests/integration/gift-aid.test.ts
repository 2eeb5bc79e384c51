import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAdminTokens } from '../../functions/adapters/dynamo-admin.js';
import { DynamoCampaignRepository, DynamoGiftLedger } from '../../functions/adapters/dynamo-donations.js';
import { createAdminToken } from '../../functions/core/admin/admin.js';
import { GIFT_AID_DECLARATION_VERSION } from '../../functions/core/donations/gift-aid.js';
import { documentClient } from '../../functions/platform/clients.js';
import { STRIPE_TEST_KEY } from '../../local/server/dev-config.js';
import { linkIn, postJson, startTestServer, type TestServer } from '../support/dev-server.js';
import { DynamoGiftAidCancellations } from '../../functions/adapters/dynamo-gift-aid.js';
import { campaignSettings } from '../support/donation-fakes.js';

let server: TestServer;
let token: string;

beforeAll(async () => {
  server = await startTestServer({ GIFT_AID: 'true', CHECKOUT_CLIENT_LIMIT_PER_MINUTE: '1000' });
  const tokens = new DynamoAdminTokens(documentClient(server.clientOptions), server.tables.subscribers);
  token = (await createAdminToken({ tokens, clock: { now: () => new Date() } }, 'gift aid tests')).token;
});
afterAll(() => server.stop());

let campaignCount = 0;
const newCampaign = async (currency: string) => {
  const id = `gift-aid-${++campaignCount}`;
  await new DynamoCampaignRepository(documentClient(server.clientOptions), server.tables.donations).saveSettings(campaignSettings({ id, currency }), new Date());
  return id;
};

const checkout = async (body: Record<string, unknown>) => {
  const response = await postJson(`${server.url}/v1/donations/checkout`, { amount: 2500, frequency: 'once', ...body });
  return { status: response.status, body: (await response.json()) as { id: string; url: string; error?: { code: string; field?: string; message: string } } };
};

const local = async (path: string, body?: unknown) => {
  const response = await postJson(`${server.url}/_local/stripe${path}`, body ?? {});
  return { status: response.status, body: (await response.json()) as Record<string, string> & { error?: { message: string; param?: string } } };
};

const session = async (id: string) =>
  (await (await fetch(`${server.stripeApiUrl}/v1/checkout/sessions/${id}`, { headers: { authorization: `Bearer ${STRIPE_TEST_KEY}` } })).json()) as {
    billing_address_collection: string | null;
    metadata: Record<string, string>;
  };

const gift = (paymentIntent: string) => new DynamoGiftLedger(documentClient(server.clientOptions), server.tables.donations).get(paymentIntent);

/** The gift once its payment is recorded, waiting for Stripe's redelivery of an event that came too early. */
const paidGift = async (paymentIntent: string) => {
  for (let i = 0; i < 150; i++) {
    const found = await gift(paymentIntent);
    if (found?.status === 'paid') return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${paymentIntent} was never recorded as paid`);
};

const HOME = { line1: '12 High Street', line2: 'Flat 3', city: 'Bristol', postal_code: 'bs1 4dj', country: 'GB' };

describe('Gift Aid at checkout (GIFT_AID=true)', () => {
  it('asks Checkout for the home address and keeps the declaration with the gift, once however often the event comes', async () => {
    const campaign = await newCampaign('gbp');
    const started = await checkout({ campaign, currency: 'gbp', giftAid: true, email: 'ada@example.org' });
    expect(started.status).toBe(201);
    const created = await session(started.body.id);
    expect(created.billing_address_collection).toBe('required');
    expect(created.metadata.gift_aid).toBe(GIFT_AID_DECLARATION_VERSION);

    // Checkout will not take the payment without the name and the full address.
    const refused = await local(`/checkout/${started.body.id}/complete`, { name: 'Ada Lovelace' });
    expect(refused.status).toBe(400);
    expect(refused.body.error?.param).toBe('address');

    const done = await local(`/checkout/${started.body.id}/complete`, { name: 'Ada Lovelace', address: HOME });
    expect(done.status).toBe(200);
    const kept = await gift(done.body.paymentIntent!);
    expect(kept?.status).toBe('paid');
    expect(kept?.giftAid).toEqual({
      version: GIFT_AID_DECLARATION_VERSION,
      declaredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      name: 'Ada Lovelace',
      address: { line1: '12 High Street', line2: 'Flat 3', city: 'Bristol', postalCode: 'bs1 4dj', country: 'GB' },
    });

    // A repeated checkout.session.completed writes nothing: the gift stays at its version, its declaration as made.
    const events = (await (await fetch(`${server.url}/_local/stripe/events`)).json()) as { id: string; type: string }[];
    const completed = events.filter((e) => e.type === 'checkout.session.completed').at(-1)!;
    expect((await local(`/events/${completed.id}/resend`)).body.status).toBe('resent');
    const again = await gift(done.body.paymentIntent!);
    expect(again?.version).toBe(kept?.version);
    expect(again?.giftAid).toEqual(kept?.giftAid);
  });

  it('keeps no declaration for a gift without the box ticked, and asks Checkout for no address', async () => {
    const campaign = await newCampaign('gbp');
    const started = await checkout({ campaign, currency: 'gbp' });
    expect((await session(started.body.id)).billing_address_collection).toBeNull();
    const done = await local(`/checkout/${started.body.id}/complete`, { name: 'Ada Lovelace', address: HOME });
    const kept = await gift(done.body.paymentIntent!);
    expect(kept?.status).toBe('paid');
    expect(kept?.giftAid).toBeUndefined();
  });

  it('refuses Gift Aid on a campaign in another currency, with the field named', async () => {
    const campaign = await newCampaign('usd');
    const refused = await checkout({ campaign, currency: 'usd', giftAid: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'invalid_field', field: 'giftAid' });
  });

  it("offers the declaration on a GBP campaign's chooser only, and carries the ticked box on to Checkout", async () => {
    const gbp = await newCampaign('gbp');
    const usd = await newCampaign('usd');
    const page = await (await fetch(`${server.url}/v1/donate?campaign=${gbp}`, { headers: { accept: 'text/html' } })).text();
    expect(page).toContain('name="gift_aid"');
    expect(page).toContain('I want to Gift Aid this donation');
    expect(page).toContain('I am a UK taxpayer');
    const other = await (await fetch(`${server.url}/v1/donate?campaign=${usd}`, { headers: { accept: 'text/html' } })).text();
    expect(other).not.toContain('gift_aid');

    const link = await fetch(`${server.url}/v1/donate?campaign=${gbp}&currency=gbp&amount=2500&gift_aid=true`, { redirect: 'manual' });
    expect(link.status).toBe(303);
    const id = /\/checkout\/([^/?#]+)/.exec(link.headers.get('location') ?? '')?.[1];
    expect((await session(id!)).billing_address_collection).toBe('required');
  });
});

/**
 * RFC 4180, strictly, as a spreadsheet must read it: CRLF records, a quote only around a whole cell (doubled inside
 * it), every record as long as the header. Anything else throws. The export test also opens the file in LibreOffice
 * Calc (openInLibreOffice below); this checks the bytes themselves.
 */
const strictCsv = (text: string) => {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  while (i < text.length) {
    let cell = '';
    if (text[i] === '"') {
      i += 1;
      for (;;) {
        if (i >= text.length) throw new Error('unclosed quote');
        if (text[i] === '"' && text[i + 1] === '"') {
          cell += '"';
          i += 2;
        } else if (text[i] === '"') {
          i += 1;
          break;
        } else cell += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== ',' && text[i] !== '\r') {
        if (text[i] === '"' || text[i] === '\n') throw new Error(`bare ${JSON.stringify(text[i])} at ${i}`);
        cell += text[i++];
      }
    }
    row.push(cell);
    if (text[i] === ',') i += 1;
    else if (text[i] === '\r' && text[i + 1] === '\n') {
      rows.push(row);
      row = [];
      i += 2;
    } else throw new Error(`unexpected ${JSON.stringify(text[i])} at ${i}`);
  }
  if (row.length > 0) throw new Error('last record without CRLF');
  for (const r of rows) if (r.length !== rows[0]?.length) throw new Error('records of different lengths');
  return rows;
};

const admin = (method: string, path: string, body?: unknown) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });

const exportCsv = async (request: Record<string, unknown>) => {
  const started = await admin('POST', '/v1/admin/exports', request);
  expect(started.status, await started.clone().text()).toBe(202);
  const { id } = (await started.json()) as { id: string };
  for (let i = 0; i < 200; i++) {
    const state = (await (await admin('GET', `/v1/admin/exports/${id}`)).json()) as { status: string; kind: string; rows: number; url?: string };
    if (state.status === 'done') return { state, bytes: Buffer.from(await (await fetch(state.url ?? '')).arrayBuffer()) };
    if (state.status === 'failed') throw new Error(`export ${id} failed`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('export did not finish');
};

/**
 * The file as LibreOffice Calc opens it (Debian's, headless; .ci/run installs it): its CSV import, UTF-8, every one
 * of the nine columns as text so that nothing is reinterpreted, saved back as CSV; answers the rows Calc read.
 */
const openInLibreOffice = async (bytes: Buffer) => {
  const dir = await mkdtemp(join(tmpdir(), 'appeal-gift-aid-'));
  try {
    const input = join(dir, 'in', 'gift-aid.csv');
    await execFileAsync('mkdir', ['-p', join(dir, 'in'), join(dir, 'out')]);
    await writeFile(input, bytes);
    const asText = Array.from({ length: 9 }, (_, i) => `${i + 1}/2`).join('/');
    await execFileAsync(
      'soffice',
      [`-env:UserInstallation=file://${dir}/profile`, '--headless', '--norestore', `--infilter=CSV:44,34,76,1,${asText}`, '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1', '--outdir', join(dir, 'out'), input],
      { timeout: 120_000 },
    );
    return strictCsv((await readFile(join(dir, 'out', 'gift-aid.csv'), 'utf8')).replace(/^\uFEFF/, '').replace(/\r?\n$/, '').replace(/\r?\n/g, '\r\n') + '\r\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};
const execFileAsync = promisify(execFile);

describe('the gift-aid export through the admin API', () => {
  it("gives HMRC's schedule of the gifts declared, leaving out a refunded and a disputed one, as a strict RFC 4180 file", async () => {
    const campaign = await newCampaign('gbp');
    const since = new Date().toISOString();
    const give = async (name: string, address: typeof HOME, amount = 2500, giftAid = true) => {
      const started = await checkout({ campaign, currency: 'gbp', amount, giftAid, email: 'donor@example.org' });
      expect(started.status).toBe(201);
      return (await local(`/checkout/${started.body.id}/complete`, { name, address })).body.paymentIntent!;
    };
    await give('Ada Lovelace', HOME);
    await give('Grace Brewster Hopper', { line1: 'Rose Cottage, Mill Lane', line2: '', city: 'Oxford', postal_code: 'OX2 6GG', country: 'GB' }, 1050);
    const refunded = await give('Refunded Donor', HOME);
    expect((await local(`/payments/${refunded}/refund`)).body.status).toBe('refunded');
    const disputed = await give('Disputed Donor', HOME);
    expect((await local(`/payments/${disputed}/dispute`)).body.status).toBe('disputed');
    await give('Undeclared Donor', HOME, 2500, false);

    const { state, bytes } = await exportCsv({ kind: 'gift-aid', since });
    expect(state).toMatchObject({ kind: 'gift-aid', rows: 2 });
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...rows] = strictCsv(bytes.subarray(3).toString('utf8'));
    expect(header).toEqual(['title', 'first_name', 'last_name', 'house', 'postcode', 'aggregated_donations', 'sponsored_event', 'donation_date', 'amount']);
    const today = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', day: '2-digit', month: '2-digit', year: '2-digit' }).format(new Date());
    // In no set order: the export reads the table in parallel segments.
    expect(rows).toHaveLength(2);
    expect(rows).toEqual(
      expect.arrayContaining([
        ['', 'Ada', 'Lovelace', '12', 'BS1 4DJ', '', '', today, '25.00'],
        ['', 'Grace', 'Brewster Hopper', 'Rose Cottage', 'OX2 6GG', '', '', today, '10.50'],
      ]),
    );
    // And as an editor opens it: LibreOffice Calc reads the same nine columns and the same two rows.
    expect(await openInLibreOffice(bytes)).toEqual([header, ...rows]);
  });

  it('refuses a filter the claim does not take, with the field named', async () => {
    const response = await admin('POST', '/v1/admin/exports', { kind: 'gift-aid', status: 'paid' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'invalid_field', field: 'status' } });
  });
});

describe('cancelling a Gift Aid declaration from the receipt', () => {
  it('confirms the declaration in the receipt, whose link asks first (a GET changes nothing) and then records the cancellation with its time', async () => {
    const campaign = await newCampaign('gbp');
    const email = 'cancel.me@example.org';
    const started = await checkout({ campaign, currency: 'gbp', giftAid: true, email });
    await local(`/checkout/${started.body.id}/complete`, { name: 'Ada Lovelace', address: HOME, email });
    const [receipt] = await server.mailTo(email);
    expect(receipt?.text).toContain('Gift Aid declaration');
    const link = linkIn(receipt?.text ?? '', '/v1/donations/gift-aid');
    const cancellations = new DynamoGiftAidCancellations(documentClient(server.clientOptions), server.tables.donations);

    const prompt = await fetch(link, { headers: { accept: 'text/html' } });
    expect(prompt.status).toBe(200);
    const page = await prompt.text();
    expect(page).toContain('<form method="post"');
    expect(page).not.toContain('Ada');
    expect(await cancellations.cancellationsOf(email)).toEqual([]);

    const before = new Date().toISOString();
    const done = await fetch(link, { method: 'POST', headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Gift Aid declaration is cancelled');
    const [at, ...more] = await cancellations.cancellationsOf(email);
    expect(more).toEqual([]);
    expect(at! >= before).toBe(true);

    // The gift paid before the cancellation may still be claimed.
    const { bytes } = await exportCsv({ kind: 'gift-aid', since: before.slice(0, 10) });
    expect(bytes.subarray(3).toString('utf8')).toContain('Ada,Lovelace,12,BS1 4DJ');
  });

  it('answers a forged or other-purpose link with a 400 page', async () => {
    for (const token of ['v1.' + 'A'.repeat(60), 'nope']) {
      const response = await fetch(`${server.url}/v1/donations/gift-aid?token=${token}`, { headers: { accept: 'text/html' } });
      expect(response.status).toBe(400);
      expect(response.headers.get('content-type')).toContain('text/html');
    }
  });
});

describe('a monthly gift with Gift Aid', () => {
  it("claims each month under the checkout's declaration until the donor cancels, and none after", async () => {
    const campaign = await newCampaign('gbp');
    const email = 'monthly.gift.aid@example.org';
    const since = new Date().toISOString();
    const started = await checkout({ campaign, currency: 'gbp', frequency: 'monthly', amount: 1000, giftAid: true, email });
    const first = await local(`/checkout/${started.body.id}/complete`, { name: 'Mary Seacole', address: { ...HOME, line1: '5 Spring Gardens' }, email });
    expect(first.status).toBe(200);
    // Stripe delivers the checkout and the first invoice in either order: an invoice that comes first is answered
    // 5xx (its declaration is the monthly gift's, not recorded yet) and delivered again a little later.
    const firstGift = await paidGift(first.body.paymentIntent!);
    expect(firstGift?.giftAid).toMatchObject({ name: 'Mary Seacole', address: { line1: '5 Spring Gardens', country: 'GB' } });
    const second = await local(`/subscriptions/${first.body.subscription}/renew`);
    // The second month keeps the declaration as made at checkout, with its time.
    expect((await paidGift(second.body.paymentIntent!))?.giftAid).toEqual(firstGift?.giftAid);

    const [receipt] = await server.mailTo(email);
    const link = linkIn(receipt?.text ?? '', '/v1/donations/gift-aid');
    expect((await fetch(link, { method: 'POST', headers: { accept: 'application/json' } })).status).toBe(200);
    const third = await local(`/subscriptions/${first.body.subscription}/renew`);
    expect((await paidGift(third.body.paymentIntent!))?.status).toBe('paid');

    const { bytes } = await exportCsv({ kind: 'gift-aid', since });
    const mine = strictCsv(bytes.subarray(3).toString('utf8')).filter((row) => row[2] === 'Seacole');
    expect(mine).toHaveLength(2);
    expect(mine.map((row) => row[8])).toEqual(['10.00', '10.00']);
  });
});

describe("the simulator's Checkout page for a declared gift", () => {
  it('asks for the billing address, and a posted form with it pays the session', async () => {
    const campaign = await newCampaign('gbp');
    const started = await checkout({ campaign, currency: 'gbp', giftAid: true });
    const page = await (await fetch(started.body.url)).text();
    for (const field of ['line1', 'city', 'postal_code', 'country']) expect(page).toContain(`name="address[${field}]"`);
    const form = new URLSearchParams({ email: 'form@example.org', name: 'Ada Lovelace', 'address[line1]': '12 High Street', 'address[city]': 'Bristol', 'address[postal_code]': 'BS1 4DJ', 'address[country]': 'GB' });
    const paid = await fetch(`${server.url}/_local/stripe/checkout/${started.body.id}/complete`, { method: 'POST', body: form, headers: { accept: 'application/json' } });
    expect(paid.status).toBe(200);
    const kept = await gift(((await paid.json()) as { paymentIntent: string }).paymentIntent);
    expect(kept?.giftAid?.address).toEqual({ line1: '12 High Street', city: 'Bristol', postalCode: 'BS1 4DJ', country: 'GB' });
  });

  it('refuses a session whose billing_address_collection Stripe does not have, as Stripe words it', async () => {
    const response = await fetch(`${server.stripeApiUrl}/v1/checkout/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${STRIPE_TEST_KEY}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ mode: 'payment', 'line_items[0][quantity]': '1', 'line_items[0][price_data][currency]': 'gbp', 'line_items[0][price_data][unit_amount]': '2500', 'line_items[0][price_data][product_data][name]': 'Gift', success_url: 'https://example.org/s', cancel_url: 'https://example.org/c', billing_address_collection: 'always' }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: 'invalid_request_error', param: 'billing_address_collection' } });
  });
});
