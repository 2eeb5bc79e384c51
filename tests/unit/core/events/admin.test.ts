import { describe, expect, it } from 'vitest';
import { type OutboundPolicy, type ResolvedAddress, type Resolver, SafeHttp } from '../../../../functions/adapters/safe-http.js';
import { addWebhook, NewWebhook, type WebhookAdminDeps } from '../../../../functions/core/events/admin.js';
import { messageId } from '../../../../functions/core/events/signing.js';
import { runDeliveryJob } from '../../../../functions/core/events/worker.js';
import { ForbiddenTargetError } from '../../../../functions/core/shared/outbound-http.js';
import { parse } from '../../../../functions/core/shared/schema.js';
import { FakeClock } from '../../../support/fakes.js';
import { MemoryDeliveryLog, MemoryDeliveryQueue, MemoryEndpoints, MemoryOutboundEvents } from '../../../support/webhook-fakes.js';

/** Names as a resolver answers them; `rebinds.example` answers a public address first, then the metadata address. */
const resolver = (): Resolver => {
  let rebinds = 0;
  const table: Record<string, string[]> = {
    'hooks.example.org': ['93.184.216.34'],
    'internal.example.org': ['10.1.2.3'],
    'mixed.example.org': ['93.184.216.34', '192.168.1.1'],
    'metadata.example.org': ['169.254.169.254'],
    'v6-local.example.org': ['fd00::1'],
    'loopback.example.org': ['127.0.0.1'],
  };
  return async (hostname) => {
    const answers = hostname === 'rebinds.example.org' ? (rebinds++ === 0 ? ['93.184.216.34'] : ['169.254.169.254']) : table[hostname];
    if (!answers) throw new Error('ENOTFOUND');
    return answers.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
};

const AWS: OutboundPolicy = { allowLoopbackHttp: false, ownOrigins: ['https://appeal.news.example'] };
const DEV: OutboundPolicy = { allowLoopbackHttp: true, ownOrigins: ['http://localhost:3000'] };

const adminDeps = (policy: OutboundPolicy, dns = resolver()) => {
  const clock = new FakeClock();
  const http = new SafeHttp(policy, dns);
  const deps: WebhookAdminDeps = {
    clock,
    endpoints: new MemoryEndpoints(),
    deliveries: new MemoryDeliveryLog(),
    queue: new MemoryDeliveryQueue(clock),
    checkUrl: (url) => http.check(url),
  };
  return { deps, http };
};

const add = (deps: WebhookAdminDeps, url: string) => addWebhook(deps, parse(NewWebhook, { url, events: 'subscriber.confirmed,donation.paid' }));

/** Every target a deployed stage refuses: not https, loopback, private, link-local, metadata, the stage's own API. */
const FORBIDDEN_ON_AWS = [
  'http://hooks.example.org/in',
  'https://127.0.0.1/in',
  'https://localhost/in',
  'https://[::1]/in',
  'https://2130706433/in',
  'https://10.0.0.8/in',
  'https://172.16.5.4/in',
  'https://192.168.0.10/in',
  'https://169.254.10.10/in',
  'https://169.254.169.254/latest/meta-data/',
  'https://[fd00:ec2::254]/',
  'https://[::ffff:10.0.0.1]/in',
  'https://internal.example.org/in',
  'https://mixed.example.org/in',
  'https://metadata.example.org/in',
  'https://v6-local.example.org/in',
  'https://loopback.example.org/in',
  'https://appeal.news.example/v1/subscriptions',
  'https://user:pass@hooks.example.org/in',
  'ftp://hooks.example.org/in',
];

describe('the URL of an endpoint being added', () => {
  it.each(FORBIDDEN_ON_AWS)('is refused on a deployed stage: %s', async (url) => {
    const { deps } = adminDeps(AWS);
    await expect(add(deps, url)).rejects.toBeInstanceOf(ForbiddenTargetError);
    expect(await deps.endpoints.list()).toEqual([]);
  });

  it('is taken on a deployed stage when it is https to a public address, with a whsec_ secret shown once', async () => {
    const { deps } = adminDeps(AWS);
    const added = await add(deps, 'https://hooks.example.org/in');
    expect(added).toMatchObject({ id: expect.stringMatching(/^wh_/), url: 'https://hooks.example.org/in', events: ['subscriber.confirmed', 'donation.paid'], status: 'enabled', secret: expect.stringMatching(/^whsec_/) });
    expect(await deps.endpoints.get(added.id)).toMatchObject({ secret: added.secret });
  });

  it.each([
    'http://10.0.0.8/in',
    'http://hooks.example.org/in',
    'http://internal.example.org/in',
    'https://169.254.169.254/',
    'http://localhost:3000/v1/subscriptions',
    'http://127.0.0.1:3000/v1/stripe/webhook',
  ])('is refused on the dev server too: %s', async (url) => {
    const { deps } = adminDeps(DEV);
    await expect(add(deps, url)).rejects.toBeInstanceOf(ForbiddenTargetError);
  });

  it('may be plain http to this machine on the dev server', async () => {
    const { deps } = adminDeps(DEV);
    await expect(add(deps, 'http://127.0.0.1:4567/in')).resolves.toMatchObject({ url: 'http://127.0.0.1:4567/in' });
    await expect(add(deps, 'http://localhost:4567/in')).resolves.toMatchObject({ url: 'http://localhost:4567/in' });
  });

  it('is refused with a clear error when its name does not resolve, and for an unknown event type', async () => {
    const { deps } = adminDeps(AWS);
    await expect(add(deps, 'https://nowhere.example.org/in')).rejects.toMatchObject({ code: 'invalid_url', field: 'url' });
    expect(() => parse(NewWebhook, { url: 'https://hooks.example.org/in', events: 'subscriber.maybe' })).toThrow();
    expect(() => parse(NewWebhook, { url: 'https://hooks.example.org/in', events: '' })).toThrow();
    expect(parse(NewWebhook, { url: 'https://hooks.example.org/in', events: '*' }).events).toEqual(['*']);
  });
});

describe('the URL of an endpoint at each delivery', () => {
  it('is checked again after DNS resolution: a name that rebinds to the metadata address gets nothing', async () => {
    const { deps, http } = adminDeps(AWS);
    const added = await add(deps, 'https://rebinds.example.org/in'); // resolves to a public address when added
    const events = new MemoryOutboundEvents();
    const clock = deps.clock as FakeClock;
    await events.put({ id: 'evt_1', type: 'donation.paid', timestamp: clock.now().toISOString(), data: { id: 'pi_1', campaign: 'c', amount: 100, currency: 'usd', frequency: 'once', status: 'paid' } }, undefined, clock.now());
    const id = messageId('evt_1', added.id);
    const at = clock.now().toISOString();
    await deps.deliveries.create({ id, webhookId: added.id, eventId: 'evt_1', type: 'donation.paid', status: 'pending', attempts: 0, generation: 0, createdAt: at, at });
    const outcome = await runDeliveryJob({ clock, random: () => 0.5, endpoints: deps.endpoints, events, deliveries: deps.deliveries, queue: deps.queue, http, onEndpointDisabled: async () => {} }, { delivery: id, generation: 0 });
    expect(outcome).toBe('retrying');
    expect(await deps.deliveries.get(id)).toMatchObject({ status: 'pending', error: 'forbidden_target', attempts: 1 });
  });
});
