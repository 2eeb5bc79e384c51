import { describe, expect, it } from 'vitest';
import type { Connector } from '../../../../functions/core/connectors/admin.js';
import { MailchimpWebhook, receiveMailchimpWebhook, WrongWebhookSecretError } from '../../../../functions/core/connectors/mailchimp-webhook.js';
import { NotFoundError } from '../../../../functions/core/shared/errors.js';
import { parse, safeParse } from '../../../../functions/core/shared/schema.js';
import { Subscriber } from '../../../../functions/core/subscriptions/model.js';
import { MemoryConnectors } from '../../../support/connector-fakes.js';
import { FakeClock, MemorySubscribers, MemorySuppressions, testKeys } from '../../../support/fakes.js';

const SECRET = 's'.repeat(32);
const MAILCHIMP: Connector = {
  id: 'cn_0123456789abcdef',
  settings: { kind: 'mailchimp', apiKey: 'a1b2c3d4e5f60718293a4b5c6d7e8f90-us6', list: 'a1b2c3' },
  webhookSecret: SECRET,
  createdAt: '2026-11-01T00:00:00.000Z',
};
const LISTMONK: Connector = {
  id: 'cn_fedcba9876543210',
  settings: { kind: 'listmonk', url: 'https://lists.example.org', username: 'appeal', token: 't', lists: [3] },
  createdAt: '2026-11-01T00:00:00.000Z',
};

const reader = parse(Subscriber, {
  email: 'ada@example.org',
  status: 'confirmed',
  lists: ['news'],
  round: 'r',
  createdAt: '2026-11-01T00:00:00.000Z',
  updatedAt: '2026-11-02T00:00:00.000Z',
  subscribedAt: '2026-11-01T00:00:00.000Z',
  confirmedAt: '2026-11-02T00:00:00.000Z',
  consent: { signup: { at: '2026-11-01T00:00:00.000Z', wordingVersion: 'v1' } },
  version: 2,
});

const setUp = async () => {
  const connectors = new MemoryConnectors();
  await connectors.create(MAILCHIMP);
  await connectors.create(LISTMONK);
  const subscribers = new MemorySubscribers();
  await subscribers.save(reader, undefined);
  const suppressions = new MemorySuppressions();
  return { deps: { clock: new FakeClock(), keys: testKeys, connectors, subscribers, suppressions }, subscribers, suppressions };
};

const hook = (fields: Record<string, string>) => parse(MailchimpWebhook, { fired_at: '2026-11-25 10:00:00', 'data[list_id]': 'a1b2c3', ...fields });

describe('Mailchimp\'s list webhook', () => {
  it('unsubscribes the reader in Appeal when they unsubscribe in Mailchimp, and again changes nothing', async () => {
    const { deps, subscribers } = await setUp();
    const unsubscribe = hook({ type: 'unsubscribe', 'data[email]': 'ada@example.org', 'data[action]': 'unsub' });
    expect(await receiveMailchimpWebhook(deps, MAILCHIMP.id, SECRET, unsubscribe)).toBe('unsubscribed');
    const after = await subscribers.get('ada@example.org');
    expect(after).toMatchObject({ status: 'unsubscribed', unsubscribedAt: '2026-11-25T10:00:00.000Z' });
    await receiveMailchimpWebhook(deps, MAILCHIMP.id, SECRET, unsubscribe);
    expect(await subscribers.get('ada@example.org')).toEqual(after);
  });

  it('suppresses a cleaned address as a bounce', async () => {
    const { deps, subscribers, suppressions } = await setUp();
    expect(await receiveMailchimpWebhook(deps, MAILCHIMP.id, SECRET, hook({ type: 'cleaned', 'data[email]': 'ada@example.org', 'data[reason]': 'hard' }))).toBe('suppressed');
    expect(await subscribers.get('ada@example.org')).toMatchObject({ status: 'bounced' });
    expect(JSON.stringify([...suppressions.items.values()])).toContain('bounced');
  });

  it('acknowledges profile and address changes, and another audience\'s webhook, changing nothing', async () => {
    const { deps, subscribers } = await setUp();
    expect(await receiveMailchimpWebhook(deps, MAILCHIMP.id, SECRET, hook({ type: 'profile', 'data[email]': 'ada@example.org' }))).toBe('ignored');
    expect(await receiveMailchimpWebhook(deps, MAILCHIMP.id, SECRET, hook({ type: 'upemail', 'data[new_email]': 'x@example.org', 'data[old_email]': 'ada@example.org' }))).toBe('ignored');
    expect(await receiveMailchimpWebhook(deps, MAILCHIMP.id, SECRET, hook({ type: 'unsubscribe', 'data[email]': 'ada@example.org', 'data[list_id]': 'other' }))).toBe('ignored');
    expect(await subscribers.get('ada@example.org')).toMatchObject({ status: 'confirmed' });
  });

  it('refuses a wrong or missing secret, and answers an unknown or non-Mailchimp connector as unknown', async () => {
    const { deps, subscribers } = await setUp();
    const unsubscribe = hook({ type: 'unsubscribe', 'data[email]': 'ada@example.org' });
    await expect(receiveMailchimpWebhook(deps, MAILCHIMP.id, `${SECRET.slice(1)}x`, unsubscribe)).rejects.toBeInstanceOf(WrongWebhookSecretError);
    await expect(receiveMailchimpWebhook(deps, MAILCHIMP.id, undefined, unsubscribe)).rejects.toBeInstanceOf(WrongWebhookSecretError);
    await expect(receiveMailchimpWebhook(deps, 'cn_0000000000000000', SECRET, unsubscribe)).rejects.toBeInstanceOf(NotFoundError);
    await expect(receiveMailchimpWebhook(deps, LISTMONK.id, SECRET, unsubscribe)).rejects.toBeInstanceOf(NotFoundError);
    expect(await subscribers.get('ada@example.org')).toMatchObject({ status: 'confirmed' });
  });

  it('refuses a type Mailchimp does not send', () => {
    expect(safeParse(MailchimpWebhook, { type: 'delete', 'data[email]': 'ada@example.org' }).success).toBe(false);
  });
});
