import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MailchimpStandIn, subscriberHash } from '../../../../local/stand-ins/mailchimp.js';

const KEY = '0123456789abcdef0123456789abcdef-us6';
const LIST = 'a1b2c3d4e5';
const lists = { [LIST]: { name: 'Readers', mergeFields: ['FNAME', 'LNAME', 'DONOR'] } };

let standIn: MailchimpStandIn;
let base: string;
let dir: string;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'appeal-mailchimp-'));
  standIn = new MailchimpStandIn({ apiKey: KEY, lists, stateFile: join(dir, 'mailchimp.json') });
  base = await standIn.start();
});
afterEach(async () => {
  await standIn.close();
  rmSync(dir, { recursive: true, force: true });
});

const auth = (key = KEY) => `Basic ${Buffer.from(`anystring:${key}`).toString('base64')}`;
const call = async (method: string, path: string, body?: unknown, key: string | null = KEY) => {
  const response = await fetch(`${base}/3.0${path}`, {
    method,
    headers: { ...(key === null ? {} : { authorization: auth(key) }), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, type: response.headers.get('content-type'), body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
};
const memberPath = (email: string) => `/lists/${LIST}/members/${subscriberHash(email)}`;
const subscribe = (email: string, extra: Record<string, unknown> = {}) =>
  call('PUT', memberPath(email), { email_address: email, status_if_new: 'subscribed', status: 'subscribed', ...extra });

describe('the Mailchimp stand-in', () => {
  it('answers problem+json errors with type, title, status, detail and instance', async () => {
    const missing = await call('GET', memberPath('nobody@example.org'));
    expect(missing.status).toBe(404);
    expect(missing.type).toBe('application/problem+json; charset=utf-8');
    expect(missing.body).toEqual({
      type: 'https://mailchimp.com/developer/marketing/docs/errors/',
      title: 'Resource Not Found',
      status: 404,
      detail: 'The requested resource could not be found.',
      instance: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
  });

  it('refuses a request without the API key, or with another key or data centre', async () => {
    expect((await call('GET', '/ping', undefined, null)).body).toMatchObject({ status: 401, title: 'API Key Missing' });
    expect((await call('GET', '/ping', undefined, 'ffffffffffffffffffffffffffffffff-us6')).body).toMatchObject({ status: 401, title: 'API Key Invalid' });
    expect((await call('GET', '/ping', undefined, '0123456789abcdef0123456789abcdef-us7')).body).toMatchObject({ status: 401, title: 'API Key Invalid' });
    expect((await call('GET', '/ping')).body).toEqual({ health_status: "Everything's Chimpy!" });
  });

  it('adds a member by the MD5 of the lowercased address with its merge fields, language and consent times', async () => {
    const email = 'Reader@Example.org';
    const added = await call('PUT', `/lists/${LIST}/members/${subscriberHash(email)}`, {
      email_address: email,
      status_if_new: 'subscribed',
      status: 'subscribed',
      merge_fields: { FNAME: 'Ada' },
      language: 'uk',
      timestamp_signup: '2026-11-25T09:58:00.000Z',
      timestamp_opt: '2026-11-25T10:00:00.000Z',
    });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({
      id: subscriberHash('reader@example.org'),
      email_address: email,
      status: 'subscribed',
      merge_fields: { FNAME: 'Ada', LNAME: '', DONOR: '' },
      language: 'uk',
      timestamp_signup: '2026-11-25T09:58:00+00:00',
      timestamp_opt: '2026-11-25T10:00:00+00:00',
      list_id: LIST,
    });
    expect((await call('GET', memberPath('reader@example.org'))).body).toMatchObject({ status: 'subscribed' });
    expect(standIn.member(LIST, 'reader@example.org')?.merge_fields.FNAME).toBe('Ada');
  });

  it('refuses a body whose address does not match the hash in the path', async () => {
    const mismatch = await call('PUT', memberPath('someone@example.org'), { email_address: 'other@example.org', status_if_new: 'subscribed' });
    expect(mismatch.status).toBe(400);
    expect(mismatch.body).toMatchObject({ title: 'Invalid Resource', errors: [{ field: 'email_address' }] });
    expect(standIn.members(LIST)).toEqual([]);
  });

  it('refuses a merge field tag the list does not define, and a new member without status_if_new', async () => {
    const unknown = await subscribe('reader@example.org', { merge_fields: { FNAME: 'Ada', TOTALGIVEN: '25.00 USD' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ title: 'Invalid Resource', detail: 'Your merge fields were invalid.', errors: [{ field: 'TOTALGIVEN' }] });
    const noStatus = await call('PUT', memberPath('reader@example.org'), { email_address: 'reader@example.org' });
    expect(noStatus.body).toMatchObject({ status: 400, title: 'Invalid Resource', errors: [{ field: 'status_if_new' }] });
    const badStatus = await call('PUT', memberPath('reader@example.org'), { email_address: 'reader@example.org', status_if_new: 'confirmed' });
    expect(badStatus.body).toMatchObject({ status: 400, errors: [{ field: 'status_if_new' }] });
    expect((await call('PUT', memberPath('reader@example.org'), '{not json')).body).toMatchObject({ status: 400, title: 'JSON Parse Error' });
    expect(standIn.members(LIST)).toEqual([]);
  });

  it('keeps a member who unsubscribed: the API cannot subscribe them again (Member In Compliance State), only ask them by a confirmation', async () => {
    await subscribe('reader@example.org');
    standIn.setStatusAsReader(LIST, 'reader@example.org', 'unsubscribed');

    const again = await subscribe('reader@example.org', { merge_fields: { FNAME: 'Ada' } });
    expect(again.status).toBe(400);
    expect(again.body).toMatchObject({
      title: 'Member In Compliance State',
      detail: 'reader@example.org is in a compliance state due to unsubscribe, bounce, or compliance review and cannot be subscribed.',
    });
    expect(standIn.member(LIST, 'reader@example.org')?.status).toBe('unsubscribed');

    // status_if_new alone leaves an existing member's status as it is.
    const quiet = await call('PUT', memberPath('reader@example.org'), { email_address: 'reader@example.org', status_if_new: 'subscribed' });
    expect(quiet.body).toMatchObject({ status: 'unsubscribed' });

    const asked = await call('PUT', memberPath('reader@example.org'), { email_address: 'reader@example.org', status_if_new: 'pending', status: 'pending' });
    expect(asked.body).toMatchObject({ status: 'pending' });
    expect(standIn.confirmationEmails(LIST)).toBe(1);
  });

  it('lets the API subscribe again a member the API unsubscribed (the person did not say no in Mailchimp)', async () => {
    await subscribe('reader@example.org');
    await call('PUT', memberPath('reader@example.org'), { email_address: 'reader@example.org', status_if_new: 'unsubscribed', status: 'unsubscribed' });
    expect((await subscribe('reader@example.org')).body).toMatchObject({ status: 'subscribed' });
  });

  it('refuses to subscribe a cleaned address', async () => {
    await subscribe('bounced@example.org');
    standIn.setStatusAsReader(LIST, 'bounced@example.org', 'cleaned');
    expect((await subscribe('bounced@example.org')).body).toMatchObject({ status: 400, title: 'Member In Compliance State' });
  });

  it('unsubscribes a member, then deletes them permanently: they are gone and cannot be imported again', async () => {
    await subscribe('reader@example.org');
    const off = await call('PUT', memberPath('reader@example.org'), { email_address: 'reader@example.org', status_if_new: 'unsubscribed', status: 'unsubscribed' });
    expect(off.body).toMatchObject({ status: 'unsubscribed' });

    const deleted = await call('POST', `${memberPath('reader@example.org')}/actions/delete-permanent`);
    expect(deleted.status).toBe(204);
    expect((await call('GET', memberPath('reader@example.org'))).status).toBe(404);
    expect(standIn.isForgotten(LIST, 'reader@example.org')).toBe(true);

    const reimport = await subscribe('reader@example.org');
    expect(reimport.body).toMatchObject({
      status: 400,
      title: 'Forgotten Email Not Subscribed',
      detail: 'reader@example.org was permanently deleted and cannot be re-imported. The contact must re-subscribe to get back on the list.',
    });
    expect((await call('POST', `${memberPath('reader@example.org')}/actions/delete-permanent`)).status).toBe(404);
  });

  it('answers 404 for an unknown list and 405 for a method the resource does not take', async () => {
    expect((await call('PUT', `/lists/nope/members/${subscriberHash('a@example.org')}`, { email_address: 'a@example.org', status_if_new: 'subscribed' })).status).toBe(404);
    expect((await call('DELETE', `/lists/${LIST}`)).body).toMatchObject({ status: 405, title: 'Method Not Allowed' });
  });

  it('answers 429 past 10 simultaneous connections', async () => {
    await standIn.close();
    standIn = new MailchimpStandIn({ apiKey: KEY, lists, holdMs: 300 });
    base = await standIn.start();
    const answers = await Promise.all(Array.from({ length: 12 }, () => call('GET', '/ping')));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(answers.filter((a) => a.status === 429).map((a) => a.body)).toEqual([
      expect.objectContaining({ title: 'Too Many Requests', detail: 'You have exceeded the limit of 10 simultaneous connections.' }),
      expect.objectContaining({ title: 'Too Many Requests' }),
    ]);
    expect((await call('GET', '/ping')).status).toBe(200);
  });

  it('keeps its members in its state file across a restart', async () => {
    await subscribe('reader@example.org');
    await call('POST', `${memberPath('gone@example.org')}/actions/delete-permanent`);
    await subscribe('gone@example.org');
    await call('POST', `${memberPath('gone@example.org')}/actions/delete-permanent`);
    await standIn.close();
    standIn = new MailchimpStandIn({ apiKey: KEY, lists, stateFile: join(dir, 'mailchimp.json') });
    base = await standIn.start();
    expect(standIn.member(LIST, 'reader@example.org')?.status).toBe('subscribed');
    expect((await subscribe('gone@example.org')).body).toMatchObject({ title: 'Forgotten Email Not Subscribed' });
  });
});
