import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailchimpConnector } from '../../../functions/adapters/mailchimp-connector.js';
import { SafeHttp } from '../../../functions/adapters/safe-http.js';
import { ConnectorError, type ConnectorSubscriber, type DonorStatus } from '../../../functions/core/connectors/model.js';
import type { OutboundHttp } from '../../../functions/core/shared/outbound-http.js';
import { MailchimpStandIn } from '../../../local/stand-ins/mailchimp.js';

const KEY = '0123456789abcdef0123456789abcdef-us6';
const LIST = 'a1b2c3d4e5';
const MERGE_FIELDS = ['FNAME', 'LNAME', 'DONOR', 'LASTGIFT', 'LASTAMT', 'TOTALGIVEN'];
const http = new SafeHttp({ allowLoopbackHttp: true, ownOrigins: [] });

let standIn: MailchimpStandIn;
let apiUrl: string;
beforeEach(async () => {
  standIn = new MailchimpStandIn({ apiKey: KEY, lists: { [LIST]: { name: 'Readers', mergeFields: MERGE_FIELDS } } });
  apiUrl = await standIn.start();
});
afterEach(() => standIn.close());

const connector = (via: OutboundHttp = http) => new MailchimpConnector({ apiKey: KEY, listId: LIST, apiUrl }, via);
const ada: ConnectorSubscriber = {
  email: 'Ada@Example.org',
  name: 'Ada',
  lang: 'uk',
  signedUpAt: '2026-11-25T09:58:00.000Z',
  confirmedAt: '2026-11-25T10:00:00.000Z',
};
const donor: DonorStatus = { status: 'monthly donor', lastGiftAt: '2026-11-25T10:05:00.000Z', lastGiftAmount: 1000, total: 3500, currency: 'usd' };

describe('the Mailchimp connector', () => {
  it('pushes a confirmed reader with their consent times, name and language, and no IP address', async () => {
    expect(await connector().push(ada)).toEqual({ outcome: 'done' });
    expect(standIn.member(LIST, 'ada@example.org')).toMatchObject({
      email_address: 'Ada@Example.org',
      status: 'subscribed',
      merge_fields: { FNAME: 'Ada' },
      language: 'uk',
      timestamp_signup: '2026-11-25T09:58:00+00:00',
      timestamp_opt: '2026-11-25T10:00:00+00:00',
      ip_signup: '',
      ip_opt: '',
    });
    // The same confirmation again (a retried job) changes nothing.
    expect(await connector().push(ada)).toEqual({ outcome: 'done' });
    expect(standIn.members(LIST)).toHaveLength(1);
  });

  it('carries the donor status as merge fields, and updates them without adding a donor who is not on the list', async () => {
    await connector().push(ada, { ...donor, status: 'donor', total: 1000 });
    expect(standIn.member(LIST, 'ada@example.org')?.merge_fields).toMatchObject({ DONOR: 'donor', LASTGIFT: '2026-11-25', LASTAMT: '10.00 USD', TOTALGIVEN: '10.00 USD' });
    expect(await connector().updateDonor('ada@example.org', donor)).toEqual({ outcome: 'done' });
    expect(standIn.member(LIST, 'ada@example.org')?.merge_fields).toMatchObject({ DONOR: 'monthly donor', TOTALGIVEN: '35.00 USD' });
    expect(await connector().updateDonor('stranger@example.org', donor)).toEqual({ outcome: 'not_found' });
    expect(standIn.members(LIST)).toHaveLength(1);
  });

  it('follows a subscriber’s life: confirm, unsubscribe, confirm again, then erase for good', async () => {
    const mailchimp = connector();
    await mailchimp.push(ada);
    expect(await mailchimp.unsubscribe('ada@example.org')).toEqual({ outcome: 'done' });
    expect(standIn.member(LIST, 'ada@example.org')?.status).toBe('unsubscribed');
    // Appeal unsubscribed them, so Appeal may subscribe them again when they confirm again.
    expect(await mailchimp.push(ada)).toEqual({ outcome: 'done' });
    expect(standIn.member(LIST, 'ada@example.org')?.status).toBe('subscribed');

    expect(await mailchimp.erase('ada@example.org')).toEqual({ outcome: 'done' });
    expect(standIn.member(LIST, 'ada@example.org')).toBeUndefined();
    expect(standIn.isForgotten(LIST, 'ada@example.org')).toBe(true);
    // Repeated: nothing left to delete, and nothing to unsubscribe.
    expect(await mailchimp.erase('ada@example.org')).toEqual({ outcome: 'done' });
    expect(await mailchimp.unsubscribe('ada@example.org')).toEqual({ outcome: 'done' });
  });

  it('adds an address it never had as unsubscribed when Appeal unsubscribes it (a bounce), so no import subscribes it later', async () => {
    expect(await connector().unsubscribe('bounced@example.org')).toEqual({ outcome: 'done' });
    expect(standIn.member(LIST, 'bounced@example.org')?.status).toBe('unsubscribed');
  });

  it('never overrides a person’s own no: an unsubscribe or a clean in Mailchimp, or a permanent deletion, is refused_by_person', async () => {
    const mailchimp = connector();
    await mailchimp.push(ada);
    standIn.setStatusAsReader(LIST, 'ada@example.org', 'unsubscribed');
    expect(await mailchimp.push(ada)).toEqual({ outcome: 'refused_by_person', reason: 'unsubscribed' });
    expect(standIn.member(LIST, 'ada@example.org')?.status).toBe('unsubscribed');

    await mailchimp.push({ ...ada, email: 'cleaned@example.org' });
    standIn.setStatusAsReader(LIST, 'cleaned@example.org', 'cleaned');
    expect(await mailchimp.push({ ...ada, email: 'cleaned@example.org' })).toEqual({ outcome: 'refused_by_person', reason: 'unsubscribed' });

    await mailchimp.push({ ...ada, email: 'gone@example.org' });
    await mailchimp.erase('gone@example.org');
    expect(await mailchimp.push({ ...ada, email: 'gone@example.org' })).toEqual({ outcome: 'refused_by_person', reason: 'deleted' });
  });

  it('asks to retry later on a 429, without the address in any error', async () => {
    const busy: OutboundHttp = { request: async () => ({ status: 429, headers: { 'retry-after': '7' }, body: '{"title":"Too Many Requests"}', truncated: false }) };
    expect(await connector(busy).push(ada)).toEqual({ outcome: 'retry_later', retryAfterSeconds: 7 });
    const down: OutboundHttp = { request: async () => ({ status: 503, headers: {}, body: '', truncated: false }) };
    expect(await connector(down).unsubscribe('ada@example.org')).toEqual({ outcome: 'retry_later', retryAfterSeconds: 60 });
  });

  it('keeps within Mailchimp’s connection limit when many pushes run at once (the stand-in answers 429 past 10)', async () => {
    await standIn.close();
    standIn = new MailchimpStandIn({ apiKey: KEY, lists: { [LIST]: { name: 'Readers', mergeFields: MERGE_FIELDS } }, holdMs: 50 });
    apiUrl = await standIn.start();
    const mailchimp = connector();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => mailchimp.push({ ...ada, email: `reader${i}@example.org` })));
    expect(results.every((r) => r.outcome === 'done')).toBe(true);
    expect(standIn.members(LIST)).toHaveLength(30);
  });

  it('throws a refusal that a retry cannot fix, naming the merge field but not the address', async () => {
    await standIn.close();
    standIn = new MailchimpStandIn({ apiKey: KEY, lists: { [LIST]: { name: 'Readers', mergeFields: ['FNAME'] } } });
    apiUrl = await standIn.start();
    const error = await connector().push(ada, donor).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as Error).message).toMatch(/Invalid Resource \(DONOR, LASTGIFT, LASTAMT, TOTALGIVEN\)/);
    expect((error as Error).message).not.toMatch(/ada@/i);

    const wrongKey = new MailchimpConnector({ apiKey: 'ffffffffffffffffffffffffffffffff-us6', listId: LIST, apiUrl }, http);
    await expect(wrongKey.push(ada)).rejects.toMatchObject({ status: 401, message: expect.stringMatching(/API Key Invalid/) });
  });
});
