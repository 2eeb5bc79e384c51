import { stringify } from 'csv-stringify/sync';
import { describe, expect, it } from 'vitest';
import { CSV_OPTIONS, DONATION_COLUMNS, donationRow, majorUnits } from '../../../../functions/core/admin/exports/csv.js';
import { ExportRequest } from '../../../../functions/core/admin/exports/model.js';
import { runExport, startExport } from '../../../../functions/core/admin/exports/exports.js';
import type { Gift } from '../../../../functions/core/donations/model.js';
import { ValidationError } from '../../../../functions/core/shared/errors.js';
import { parseWith } from '../../../../functions/platform/http/request.js';
import { FakeClock } from '../../../support/fakes.js';
import { makeExportDeps } from '../../../support/admin-fakes.js';

const gift = (key: string, change: Partial<Gift> = {}): Gift => ({
  key,
  status: 'paid',
  campaign: 'ukraine',
  amount: 2500,
  currency: 'usd',
  frequency: 'once',
  donorEmail: 'donor@example.org',
  refunded: 0,
  disputed: false,
  createdAt: '2026-11-02T10:00:00.000Z',
  updatedAt: '2026-11-02T10:00:00.000Z',
  contributed: { raised: 0, donations: 0, donor: false },
  receiptQueued: false,
  signupQueued: false,
  version: 1,
  ...change,
});

describe('decimal columns (amount_decimal, refunded_decimal)', () => {
  it('give major units with the currency\'s own minor-unit digits, exactly', () => {
    expect(majorUnits(2500, 'usd')).toBe('25.00');
    expect(majorUnits(5, 'usd')).toBe('0.05');
    expect(majorUnits(0, 'eur')).toBe('0.00');
    expect(majorUnits(2500, 'jpy')).toBe('2500');
    expect(majorUnits(12345, 'kwd')).toBe('12.345');
    expect(majorUnits(900719925474099, 'usd')).toBe('9007199254740.99');
    expect(majorUnits(undefined, 'usd')).toBe('');
    expect(majorUnits(100, undefined)).toBe('');
    expect(majorUnits(100, 'not a currency')).toBe('');
  });

  it('come last in the donations CSV, after the contract\'s first ten columns', () => {
    expect(DONATION_COLUMNS.slice(10, 12)).toEqual(['amount_decimal', 'refunded_decimal']);
    expect(donationRow(gift('pi_usd', { refunded: 1050 })).slice(9, 12)).toEqual(['1050', '25.00', '10.50']);
    expect(donationRow(gift('pi_jpy', { amount: 3000, currency: 'jpy', refunded: 500 })).slice(9, 12)).toEqual(['500', '3000', '500']);
  });
});

describe('the appeal columns (fee_covered, tribute_type, tribute_name, anonymous)', () => {
  it('come after the decimal and attribution ones, each row giving them even when the gift has none', () => {
    expect(DONATION_COLUMNS.slice(21)).toEqual(['fee_covered', 'tribute_type', 'tribute_name', 'anonymous']);
    expect(donationRow(gift('pi_plain')).slice(21)).toEqual(['0', '', '', 'false']);
  });

  it('keep the covered fee apart from what was charged, and the tribute as written (no formula in a cell)', () => {
    const row = donationRow(gift('pi_fee', { amount: 2606, feeCovered: 106, tribute: { type: 'memory', name: '=Olena Kovalenko' }, anonymous: true }));
    expect(row[3]).toBe('2606');
    expect(row.slice(21)).toEqual(['106', 'memory', "'=Olena Kovalenko", 'true']);
  });
});

describe('the CSV bytes', () => {
  it('start with the UTF-8 byte-order mark, once, before the header', () => {
    const bytes = Buffer.from(stringify([['id', 'name'], ['pi_1', 'Zoë']], CSV_OPTIONS), 'utf8');
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(bytes.subarray(3).toString('utf8')).toBe('id,name\r\npi_1,Zoë\r\n');
  });
});

describe('export time filters', () => {
  const parse = (body: unknown) => parseWith(ExportRequest, body);

  it('read a date as the whole UTC day: since from its start, until to its end', () => {
    expect(parse({ kind: 'donations', since: '2026-11-01', until: '2026-11-30' })).toMatchObject({
      since: '2026-11-01T00:00:00.000Z',
      until: '2026-11-30T23:59:59.999Z',
    });
  });

  it('take an ISO 8601 time with an offset, stored in UTC; a stored filter parses to itself', () => {
    const parsed = parse({ kind: 'subscribers', since: '2026-11-01T09:00:00+02:00' });
    expect(parsed.since).toBe('2026-11-01T07:00:00.000Z');
    expect(parse(parse({ kind: 'subscribers', until: '2026-11-30' })).until).toBe('2026-11-30T23:59:59.999Z');
  });

  it('refuse what is not a day or a time, saying what is', () => {
    for (const since of ['yesterday', '2026-02-30', '2026-13-01', '2026-11-01T09:00:00', '01/11/2026']) {
      expect(() => parse({ kind: 'subscribers', since }), since).toThrow(ValidationError);
      try {
        parse({ kind: 'subscribers', since });
      } catch (error) {
        expect(error).toMatchObject({ code: 'invalid_field', field: 'since', message: expect.stringContaining('2026-11-01') });
      }
    }
  });
});

describe('export filters that name nothing', () => {
  const start = (request: Parameters<typeof startExport>[1]) => {
    const t = makeExportDeps(new FakeClock());
    return { t, started: startExport(t.deps, request) };
  };

  it('refuse an unknown list or campaign with 400 invalid_field, naming the ones there are, and start nothing', async () => {
    const list = start({ kind: 'subscribers', list: 'nwes' });
    await expect(list.started).rejects.toMatchObject({ code: 'invalid_field', field: 'list', message: 'There is no list "nwes": the lists are news.' });
    expect(list.t.started).toEqual([]);
    const campaign = start({ kind: 'donations', campaign: 'ukrain' });
    await expect(campaign.started).rejects.toMatchObject({ code: 'invalid_field', field: 'campaign', message: 'There is no campaign "ukrain": the campaigns are ukraine.' });
    expect(campaign.t.jobs.items.size).toBe(0);
    await expect(start({ kind: 'subscribers', list: 'news' }).started).resolves.toMatchObject({ status: 'running' });
    await expect(start({ kind: 'donations', campaign: 'ukraine' }).started).resolves.toMatchObject({ status: 'running' });
  });

  it('take a configured list that has no subscriber yet, and name it among the lists', async () => {
    const t = makeExportDeps(new FakeClock());
    const deps = { ...t.deps, listIds: ['news', 'events'] };
    await expect(startExport(deps, { kind: 'subscribers', list: 'events' })).resolves.toMatchObject({ status: 'running' });
    await expect(startExport(deps, { kind: 'subscribers', list: 'evnets' })).rejects.toMatchObject({
      field: 'list',
      message: 'There is no list "evnets": the lists are events, news.',
    });
  });

  it('refuse a status of the other kind, saying so, either way', async () => {
    await expect(start({ kind: 'donations', status: 'confirmed' }).started).rejects.toMatchObject({
      code: 'invalid_field',
      field: 'status',
      message: expect.stringMatching(/^"confirmed" is a subscriber status: a donations export takes paid, /),
    });
    await expect(start({ kind: 'subscribers', status: 'refunded' }).started).rejects.toMatchObject({
      field: 'status',
      message: expect.stringMatching(/^"refunded" is a donation status: a subscribers export takes pending, confirmed, /),
    });
    await expect(start({ kind: 'subscribers', status: 'gone' }).started).rejects.toMatchObject({ field: 'status', message: expect.stringMatching(/^"gone" is not a status/) });
  });
});

describe('a donations export by status', () => {
  it('keeps only the gifts whose status column says so, and counts only them', async () => {
    const gifts = [gift('pi_paid'), gift('pi_refunded', { refunded: 2500 }), gift('pi_partly', { refunded: 100 }), gift('pi_failed', { status: 'failed' })];
    const t = makeExportDeps(new FakeClock(), [], gifts);
    const { id } = await startExport(t.deps, { kind: 'donations', status: 'refunded' });
    await runExport(t.deps, id);
    const job = await t.jobs.get(id);
    expect(job).toMatchObject({ status: 'done', rows: 1 });
    expect(t.store.objects.get(job?.objectKey ?? '')?.slice(1).map((row) => row[0])).toEqual(['pi_refunded']);
  });
});
