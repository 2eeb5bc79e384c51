import { type Command, InvalidArgumentError, type Option } from 'commander';
import type { adminApi } from './api.js';

type Api = Awaited<ReturnType<typeof adminApi>>;
type WithApi = (token: string | undefined, run: (api: Api) => Promise<void>) => Promise<void>;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const instant = (value: string) => {
  if (!ISO_TIME.test(value) || Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('an ISO 8601 time, such as 2026-11-01T09:00:00Z');
  return new Date(value).toISOString();
};

const asList = (value: unknown) => (Array.isArray(value) ? (value as Record<string, unknown>[]) : []);

/**
 * `webhook …`: the newsroom's endpoints for signed events, through the admin API (`/v1/admin/webhooks`): add (the
 * secret printed once, as the last line's JSON), list, remove, rotate (the old secret signs beside the new one
 * for 24 hours), enable, the delivery log, a manual retry and a replay since a time.
 */
export const addWebhookCommand = (program: Command, withApi: WithApi, tokenOption: () => Option) => {
  const webhook = program.command('webhook').description('signed events for the newsroom\'s own tools (Standard Webhooks endpoints)');

  webhook
    .command('add')
    .description('add an endpoint; prints, as its last line, JSON {"id", "secret"} (the secret is shown only now)')
    .requiredOption('--url <url>', 'where the events go: https:// to a public address (the dev server also takes http:// to this machine)')
    .requiredOption('--events <types>', 'event types, comma-separated (subscriber.confirmed,donation.paid…), or * for every type')
    .option('--description <text>', 'what the endpoint is for (at most 200 characters)')
    .addOption(tokenOption())
    .action(async (o: { url: string; events: string; description?: string; token?: string }) =>
      withApi(o.token, async (api) => {
        const added = await api.call('POST', '/v1/admin/webhooks', { url: o.url, events: o.events, ...(o.description ? { description: o.description } : {}) });
        console.log(`added webhook endpoint ${String(added.id)} for ${(added.events as string[]).join(', ')}; its signing secret is shown only now:`);
        console.log(JSON.stringify({ id: added.id, secret: added.secret }));
      }),
    );

  webhook
    .command('list')
    .description('list the endpoints (never their secrets)')
    .addOption(tokenOption())
    .action(async (o: { token?: string }) =>
      withApi(o.token, async (api) => {
        const all = asList(await api.call('GET', '/v1/admin/webhooks'));
        if (all.length === 0) console.log('no webhook endpoints');
        for (const e of all) {
          const state = e.status === 'disabled' ? `disabled ${String(e.disabledAt)}` : e.failingSince ? `failing since ${String(e.failingSince)}` : 'enabled';
          console.log(`${String(e.id)}\t${state}\t${(e.events as string[]).join(',')}\t${String(e.url)}${e.description ? `\t${String(e.description)}` : ''}`);
        }
      }),
    );

  webhook
    .command('remove')
    .description('remove an endpoint: nothing more is sent to it')
    .requiredOption('--id <id>', 'the endpoint (as `webhook list` shows it)')
    .addOption(tokenOption())
    .action(async (o: { id: string; token?: string }) =>
      withApi(o.token, async (api) => {
        await api.call('DELETE', `/v1/admin/webhooks/${encodeURIComponent(o.id)}`);
        console.log(`removed webhook endpoint ${o.id}`);
      }),
    );

  webhook
    .command('rotate')
    .description('give an endpoint a new secret; the old one keeps signing beside it for 24 hours. Prints, as its last line, JSON {"id", "secret"}')
    .requiredOption('--id <id>', 'the endpoint')
    .addOption(tokenOption())
    .action(async (o: { id: string; token?: string }) =>
      withApi(o.token, async (api) => {
        const rotated = await api.call('POST', `/v1/admin/webhooks/${encodeURIComponent(o.id)}/rotate`);
        console.log(`rotated the secret of ${o.id}: the old one signs too until ${String(rotated.previousSecretExpiresAt)}; the new one is shown only now:`);
        console.log(JSON.stringify({ id: rotated.id, secret: rotated.secret }));
      }),
    );

  webhook
    .command('enable')
    .description('enable an endpoint disabled after three days of failures (then `webhook replay` what it missed)')
    .requiredOption('--id <id>', 'the endpoint')
    .addOption(tokenOption())
    .action(async (o: { id: string; token?: string }) =>
      withApi(o.token, async (api) => {
        await api.call('POST', `/v1/admin/webhooks/${encodeURIComponent(o.id)}/enable`);
        console.log(`enabled webhook endpoint ${o.id}`);
      }),
    );

  webhook
    .command('deliveries')
    .description('the delivery log of an endpoint, newest first: id, event type, attempt, status, the answer\'s status, time, latency')
    .requiredOption('--id <id>', 'the endpoint')
    .option('--limit <n>', 'at most this many (1 to 1000, default 100)')
    .option('--json', 'print the log as JSON')
    .addOption(tokenOption())
    .action(async (o: { id: string; limit?: string; json?: boolean; token?: string }) =>
      withApi(o.token, async (api) => {
        const log = asList(await api.call('GET', `/v1/admin/webhooks/${encodeURIComponent(o.id)}/deliveries${o.limit ? `?limit=${encodeURIComponent(o.limit)}` : ''}`));
        if (o.json) {
          console.log(JSON.stringify(log, null, 2));
          return;
        }
        if (log.length === 0) console.log('no deliveries');
        for (const d of log) {
          const latency = typeof d.latencyMs === 'number' ? `\t${d.latencyMs} ms` : '';
          console.log(`${String(d.id)}\t${String(d.type)}\tattempt ${String(d.attempt)}\t${String(d.status)}\t${d.responseStatus ?? String(d.error ?? '-')}\t${String(d.at)}${latency}`);
        }
      }),
    );

  webhook
    .command('retry')
    .description('send one delivery again now')
    .requiredOption('--id <id>', 'the endpoint')
    .requiredOption('--delivery <id>', 'the delivery (its webhook-id, as `webhook deliveries` shows it)')
    .addOption(tokenOption())
    .action(async (o: { id: string; delivery: string; token?: string }) =>
      withApi(o.token, async (api) => {
        await api.call('POST', `/v1/admin/webhooks/${encodeURIComponent(o.id)}/deliveries/${encodeURIComponent(o.delivery)}/retry`);
        console.log(`sending ${o.delivery} again`);
      }),
    );

  webhook
    .command('replay')
    .description('send again every delivery to an endpoint since a time (events are kept 7 days; an erased person\'s are gone)')
    .requiredOption('--id <id>', 'the endpoint')
    .requiredOption('--since <time>', 'ISO 8601 time, such as 2026-11-01T09:00:00Z', instant)
    .addOption(tokenOption())
    .action(async (o: { id: string; since: string; token?: string }) =>
      withApi(o.token, async (api) => {
        const replayed = await api.call('POST', `/v1/admin/webhooks/${encodeURIComponent(o.id)}/replay`, { since: o.since });
        console.log(`sending ${String(replayed.deliveries)} deliveries to ${o.id} again (since ${o.since})`);
      }),
    );
};
