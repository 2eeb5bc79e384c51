import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Connector } from '../../../functions/core/connectors/admin.js';
import type { ConnectorResult, NewsletterConnector } from '../../../functions/core/connectors/model.js';
import { parse } from '../../../functions/core/shared/schema.js';
import { Subscriber } from '../../../functions/core/subscriptions/model.js';
import { logger } from '../../../functions/platform/logger.js';
import { LISTMONK_PULL_JOB, makePullHandler } from '../../../functions/webhook-delivery/handler.js';
import { MemoryConnectors } from '../../support/connector-fakes.js';
import { FakeClock, MemorySubscribers } from '../../support/fakes.js';

// The delivery worker's scheduled run: only the schedule's payload starts it, and its log lines count what was
// pulled per connector, never naming an address.

const LISTMONK: Connector = {
  id: 'cn_0123456789abcdef',
  settings: { kind: 'listmonk', url: 'https://lists.example.org', username: 'appeal', token: 'secret-token', lists: [3] },
  createdAt: '2026-11-20T08:00:00.000Z',
};

const refusing = (answer: { unsubscribed: string[]; blocklisted: string[] } | ConnectorResult): NewsletterConnector => ({
  push: async () => ({ outcome: 'done' }),
  unsubscribe: async () => ({ outcome: 'done' }),
  erase: async () => ({ outcome: 'done' }),
  updateDonor: async () => ({ outcome: 'done' }),
  pullRefusals: async () => answer,
});

const setUp = async (answer: Parameters<typeof refusing>[0]) => {
  const connectors = new MemoryConnectors();
  await connectors.create(LISTMONK);
  const subscribers = new MemorySubscribers();
  await subscribers.save(parse(Subscriber, {
    email: 'left@example.org', status: 'confirmed', lists: ['news'], round: 'r', createdAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-02T00:00:00.000Z',
    subscribedAt: '2026-11-01T00:00:00.000Z', confirmedAt: '2026-11-02T00:00:00.000Z', consent: { signup: { at: '2026-11-01T00:00:00.000Z', wordingVersion: 'v1' } }, version: 1,
  }), undefined);
  const lines: string[] = [];
  for (const level of ['info', 'warn'] as const) {
    vi.spyOn(logger, level).mockImplementation((message, fields) => void lines.push(JSON.stringify({ level, message, ...fields })));
  }
  return { handler: makePullHandler({ clock: new FakeClock(), connectors, subscribers, connectorFor: async () => refusing(answer) }), subscribers, lines };
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the delivery worker\'s scheduled pull', () => {
  it('runs on the schedule\'s payload and logs counts per connector, never an address or the token', async () => {
    const { handler, subscribers, lines } = await setUp({ unsubscribed: ['left@example.org'], blocklisted: ['stranger@example.org'] });
    const answer = await handler(LISTMONK_PULL_JOB);
    expect(answer).toEqual({ connectors: [expect.objectContaining({ connector: LISTMONK.id, outcome: 'pulled', refusals: 2, unsubscribed: 1 })] });
    expect((await subscribers.get('left@example.org'))?.status).toBe('unsubscribed');
    const logged = lines.join('');
    expect(logged).toContain('listmonk refusals pulled');
    expect(logged).toContain(LISTMONK.id);
    expect(logged).not.toContain('@');
    expect(logged).not.toContain('secret-token');
  });

  it('logs a listmonk that is down as a warning, and answers it', async () => {
    const { handler, lines } = await setUp({ outcome: 'retry_later', retryAfterSeconds: 60 });
    expect(await handler(LISTMONK_PULL_JOB)).toEqual({ connectors: [{ connector: LISTMONK.id, outcome: 'retry_later' }] });
    expect(lines.join('')).toContain('"level":"warn","message":"listmonk refusals not pulled"');
  });

  it('refuses any other payload, pulling nothing', async () => {
    const { handler, subscribers } = await setUp({ unsubscribed: ['left@example.org'], blocklisted: [] });
    for (const payload of [{}, { job: 'reminders' }, { job: 'listmonk-pull', since: '2020-01-01T00:00:00.000Z' }, null]) {
      await expect(handler(payload)).rejects.toThrow();
    }
    expect((await subscribers.get('left@example.org'))?.status).toBe('confirmed');
  });
});
