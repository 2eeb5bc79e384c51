import { describe, expect, it } from 'vitest';
import { endpointDisabledNotice } from '../../../../functions/core/events/disabled-notice.js';
import { runDeliveryJob } from '../../../../functions/core/events/worker.js';
import { processMailJob } from '../../../../functions/core/mail/mail.js';
import { makeConsoleDeps } from '../../../support/console-fakes.js';
import { MemoryDeliveryLog, MemoryDeliveryQueue, MemoryEndpoints, MemoryOutboundEvents } from '../../../support/webhook-fakes.js';

// An endpoint disabled after three days of failures is told to every admin of the console by email: once per admin
// and disabling, however often the job runs, in the admin's language (else the site's), with the webhooks page's link.

const DAY = 86_400_000;

/** An endpoint failing since three days and a minute ago, one pending delivery to it on its last attempt's turn. */
const failingEndpoint = async () => {
  const fakes = makeConsoleDeps();
  const { t } = fakes;
  const now = t.clock.now();
  const endpoints = new MemoryEndpoints();
  await endpoints.create({
    id: 'wh_00000000000000aa',
    url: 'https://hooks.example.org/in/secret-path-token?key=k',
    events: ['*'],
    secret: `whsec_${Buffer.alloc(24, 1).toString('base64')}`,
    createdAt: new Date(now.getTime() - 10 * DAY).toISOString(),
    failingSince: new Date(now.getTime() - 3 * DAY - 60_000).toISOString(),
  });
  const events = new MemoryOutboundEvents();
  await events.put({ id: 'ev1', type: 'subscriber.erased', timestamp: now.toISOString(), data: { emailHash: 'a'.repeat(64) } }, undefined, now);
  const deliveries = new MemoryDeliveryLog();
  await deliveries.create({ id: `msg_${'1'.repeat(32)}`, webhookId: 'wh_00000000000000aa', eventId: 'ev1', type: 'subscriber.erased', status: 'pending', attempts: 3, generation: 0, createdAt: now.toISOString(), at: now.toISOString() });
  const http = { request: async () => ({ status: 500, headers: {}, body: '', truncated: false }) };
  const worker = {
    clock: t.clock,
    random: () => 0.5,
    endpoints,
    events,
    deliveries,
    queue: new MemoryDeliveryQueue(t.clock),
    http,
    onEndpointDisabled: endpointDisabledNotice({ endpoints, mail: t.queue }),
  };
  return { ...fakes, endpoints, worker };
};

describe('the email to the admins when an endpoint is disabled', () => {
  it('goes once to each admin, in their language or the site’s, naming the host only and linking the webhooks page', async () => {
    const { t, deps, endpoints, worker } = await failingEndpoint();
    await deps.editors.put('admin@example.org', 'admin', t.clock.now());
    await deps.editors.put('adminka@example.org', 'admin', t.clock.now(), 'uk');
    await deps.editors.put('viewer@example.org', 'viewer', t.clock.now());

    expect(await runDeliveryJob(worker, { delivery: `msg_${'1'.repeat(32)}`, generation: 0 })).toBe('failed');
    expect((await endpoints.get('wh_00000000000000aa'))?.disabledAt).toBeDefined();
    const jobs = t.queue.take();
    expect(jobs).toEqual([expect.objectContaining({ kind: 'webhook-disabled', webhookId: 'wh_00000000000000aa', host: 'hooks.example.org' })]);

    // The queue hands the job over twice (at least once): the admins still get one email each.
    for (const job of [...jobs, ...jobs]) await processMailJob(t.mailDeps, job);
    const sent = t.mailer.sent;
    expect(sent.map((m) => m.to).sort()).toEqual(['admin@example.org', 'adminka@example.org']);
    const english = sent.find((m) => m.to === 'admin@example.org');
    expect(english?.subject).toBe('Example News: a webhook endpoint was disabled');
    expect(english?.text).toContain('hooks.example.org (wh_00000000000000aa)');
    expect(english?.text).toContain('https://api.example.org/admin/webhooks');
    expect(english?.html).toContain('href="https://api.example.org/admin/webhooks"');
    expect(sent.find((m) => m.to === 'adminka@example.org')?.subject).toBe('Example News: кінцеву точку вебхука вимкнено');
    for (const mail of sent) expect(`${mail.text}${mail.html}`).not.toContain('secret-path-token');
  });

  it('is not sent again by a later failure of the disabled endpoint, and a new disabling is told anew', async () => {
    const { t, deps, endpoints, worker } = await failingEndpoint();
    await deps.editors.put('admin@example.org', 'admin', t.clock.now());
    await runDeliveryJob(worker, { delivery: `msg_${'1'.repeat(32)}`, generation: 0 });
    for (const job of t.queue.take()) await processMailJob(t.mailDeps, job);
    expect(t.mailer.sent).toHaveLength(1);

    // Disabled already: the worker stops its deliveries without disabling (nor telling) again.
    expect(await endpoints.disable('wh_00000000000000aa', t.clock.now().toISOString())).toBe(false);
    expect(t.queue.take()).toEqual([]);

    // Enabled, then disabled again later: that disabling is a new one, told once more.
    await endpoints.enable('wh_00000000000000aa');
    t.clock.advance(5 * 86_400);
    expect(await endpoints.disable('wh_00000000000000aa', t.clock.now().toISOString())).toBe(true);
    await worker.onEndpointDisabled('wh_00000000000000aa');
    for (const job of t.queue.take()) await processMailJob(t.mailDeps, job);
    expect(t.mailer.sent).toHaveLength(2);
  });

  it('sends the admins who did not get it when a send failed and the job is retried', async () => {
    const { t, deps, worker } = await failingEndpoint();
    await deps.editors.put('a@example.org', 'admin', t.clock.now());
    await deps.editors.put('b@example.org', 'admin', t.clock.now());
    await runDeliveryJob(worker, { delivery: `msg_${'1'.repeat(32)}`, generation: 0 });
    const [job] = t.queue.take();
    if (!job) throw new Error('no job');
    t.mailer.throttleNext = 1;
    await expect(processMailJob(t.mailDeps, job)).rejects.toThrow();
    t.clock.advance(10 * 60);
    await processMailJob(t.mailDeps, job);
    await processMailJob(t.mailDeps, job);
    expect(t.mailer.sent.map((m) => m.to).sort()).toEqual(['a@example.org', 'b@example.org']);
  });
});
