import { describe, expect, it } from 'vitest';
import type { Gift } from '../../../functions/core/donations/model.js';
import type { Payments } from '../../../functions/core/donations/ports.js';
import { makeStatementToken } from '../../../functions/core/donors/statements.js';
import { addressKey } from '../../../functions/core/shared/email-address.js';
import { makeManageToken } from '../../../functions/core/shared/secrets.js';
import { makeDonationsHandler } from '../../support/donation-fakes.js';
import { httpEvent } from '../../support/events.js';
import { testKeys } from '../../support/fakes.js';

const noStripe = {} as Payments;

const gift = (key: string, paidAt: string, change: Partial<Gift> = {}): Gift => ({
  key,
  status: 'paid',
  campaign: 'ukraine',
  amount: 2500,
  currency: 'usd',
  frequency: 'once',
  donorEmail: 'donor@example.org',
  refunded: 0,
  disputed: false,
  createdAt: paidAt,
  updatedAt: paidAt,
  paidAt,
  contributed: { raised: 2500, donations: 1, donor: true },
  receiptQueued: true,
  signupQueued: true,
  version: 1,
  ...change,
});

const setup = async () => {
  const gifts = [gift('pi_1', '2026-03-01T10:00:00.000Z'), gift('pi_2', '2026-05-01T10:00:00.000Z', { refunded: 500 }), gift('pi_3', '2025-05-01T10:00:00.000Z')];
  const finds: string[] = [];
  const built = await makeDonationsHandler(noStripe, {
    routes: {
      statements: {
        keys: testKeys,
        clock: { now: () => new Date('2027-01-10T00:00:00.000Z') },
        donorGifts: {
          find: async (email, donorKey) => {
            finds.push(donorKey);
            return donorKey === addressKey(testKeys, 'donor@example.org') ? gifts.filter((g) => g.donorEmail === email) : [];
          },
        },
        campaignTitle: async (id) => (id === 'ukraine' ? 'Support <Ukraine>' : undefined),
        settings: { taxYearStart: '01-01', timeZone: 'UTC' },
        charity: { name: 'Example Relief Fund', registration: '1190000' },
      },
    },
  });
  const visit = (query: string) => built.handler(httpEvent({ method: 'GET', path: '/v1/donations/statement', query, headers: { accept: 'text/html' } }));
  return { ...built, visit, finds };
};

describe('GET /v1/donations/statement', () => {
  it("shows the year's gifts of the address the link was sealed for, with refunds, the total and the charity, printable, without script", async () => {
    const { visit } = await setup();
    const token = makeStatementToken(testKeys.token, 'donor@example.org', new Date('2027-01-10T00:00:00.000Z'));
    const result = await visit(`token=${token}&year=2026`);
    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toContain('text/html');
    const body = result.body ?? '';
    expect(body).toContain('Giving statement 2026');
    expect(body).toContain('Support &lt;Ukraine&gt;');
    expect(body).toContain('1 March 2026');
    expect(body).toContain('1 May 2026');
    expect(body).not.toContain('2025');
    expect(body).toMatch(/Total<\/th><td class="num">\$45\.00</);
    expect(body).toContain('$5.00');
    expect(body).toContain('Example Relief Fund, registration 1190000');
    expect(body).not.toContain('<script');
  });

  it.each([
    ['a forged token', 'token=v1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA&year=2026'],
    ['a manage link\'s token', `token=${makeManageToken(testKeys.token, { customer: 'donor@example.org', expiresAt: new Date('2030-01-01T00:00:00.000Z') })}&year=2026`],
    ['no token', 'year=2026'],
  ])('answers %s with a 400 page and reads no gift', async (_name, query) => {
    const { visit, finds } = await setup();
    const result = await visit(query);
    expect(result.statusCode).toBe(400);
    expect(result.headers['content-type']).toContain('text/html');
    expect(result.body).toContain('not valid');
    expect(finds).toEqual([]);
  });

  it('answers an expired link and a year that is not one with a 400 page', async () => {
    const { visit } = await setup();
    const old = makeStatementToken(testKeys.token, 'donor@example.org', new Date('2024-01-01T00:00:00.000Z'));
    expect((await visit(`token=${old}&year=2026`)).statusCode).toBe(400);
    const token = makeStatementToken(testKeys.token, 'donor@example.org', new Date('2027-01-10T00:00:00.000Z'));
    expect((await visit(`token=${token}&year=twenty`)).statusCode).toBe(400);
  });
});
