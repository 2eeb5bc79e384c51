import type { Command, Option } from 'commander';
import type { adminApi } from './api.js';

type Api = Awaited<ReturnType<typeof adminApi>>;
type WithApi = (token: string | undefined, run: (api: Api) => Promise<void>) => Promise<void>;

const asList = (value: unknown) => (Array.isArray(value) ? (value as Record<string, unknown>[]) : []);

/** A backfill's progress in a few words: `backfill running 1200/10000 since …`, `backfill done 10000/10000 at …`. */
export const backfillText = (backfill: unknown) => {
  if (typeof backfill !== 'object' || backfill === null) return 'no backfill yet';
  const b = backfill as { state?: string; pushed?: number; total?: number; startedAt?: string; finishedAt?: string; error?: string };
  const count = `${String(b.pushed ?? 0)}${b.total === undefined ? '' : `/${String(b.total)}`}`;
  const when = b.finishedAt ? `at ${b.finishedAt}` : `since ${String(b.startedAt)}`;
  return `backfill ${String(b.state)} ${count} ${when}${b.error ? ` (${b.error})` : ''}`;
};

/**
 * `connector …`: the newsletter tools kept in step with the readers, through the admin API (`/v1/admin/connectors`):
 * add Mailchimp (prints its list webhook's address) or listmonk, list (with each backfill's progress), backfill,
 * remove. Keys and tokens are never shown again.
 */
export const addConnectorCommand = (program: Command, withApi: WithApi, tokenOption: () => Option) => {
  const connector = program.command('connector').description('newsletter tools (Mailchimp, listmonk) kept in step with the confirmed readers');
  const add = connector.command('add').description('add a connector; prints, as its last line, JSON {"id"} (Mailchimp\'s also "webhookUrl")');

  add
    .command('mailchimp')
    .description('push confirmed readers into a Mailchimp audience; give Mailchimp the printed webhookUrl for its list webhook (unsubscribes, cleaned)')
    .requiredOption('--api-key <key>', 'a Mailchimp API key (it ends with its data centre, such as -us6)')
    .requiredOption('--list <id>', 'the audience id')
    .option('--api-url <url>', 'instead of https://<dc>.api.mailchimp.com (a stand-in)')
    .addOption(tokenOption())
    .action(async (o: { apiKey: string; list: string; apiUrl?: string; token?: string }) =>
      withApi(o.token, async (api) => {
        const added = await api.call('POST', '/v1/admin/connectors', { kind: 'mailchimp', apiKey: o.apiKey, list: o.list, ...(o.apiUrl ? { apiUrl: o.apiUrl } : {}) });
        console.log(`added Mailchimp connector ${String(added.id)} for audience ${String(added.list)}; give Mailchimp this list webhook URL (it holds a secret):`);
        console.log(JSON.stringify({ id: added.id, webhookUrl: added.webhookUrl }));
      }),
    );

  add
    .command('listmonk')
    .description('push confirmed readers into listmonk lists; its unsubscribed and blocklisted subscribers are pulled back on a schedule')
    .requiredOption('--url <url>', 'listmonk\'s base URL')
    .requiredOption('--username <name>', 'an API user (Admin → Users) with subscribers:manage, subscribers:get_all and subscribers:sql_query')
    .requiredOption('--token <token>', 'its API token')
    .requiredOption('--lists <ids>', 'the list ids confirmed readers join, comma-separated (3,4)')
    // `--token` is listmonk's here (as the contract names it): the admin token comes from $APPEAL_ADMIN_TOKEN, or a temporary one.
    .action(async (o: { url: string; username: string; token: string; lists: string }) =>
      withApi(process.env.APPEAL_ADMIN_TOKEN, async (api) => {
        const added = await api.call('POST', '/v1/admin/connectors', { kind: 'listmonk', url: o.url, username: o.username, token: o.token, lists: o.lists });
        console.log(`added listmonk connector ${String(added.id)} for lists ${(added.lists as number[]).join(', ')}`);
        console.log(JSON.stringify({ id: added.id }));
      }),
    );

  connector
    .command('list')
    .description('list the connectors (never their keys or tokens)')
    .addOption(tokenOption())
    .action(async (o: { token?: string }) =>
      withApi(o.token, async (api) => {
        const all = asList(await api.call('GET', '/v1/admin/connectors'));
        if (all.length === 0) console.log('no connectors');
        for (const c of all) {
          const where = c.kind === 'mailchimp' ? `audience ${String(c.list)}\t${String(c.apiUrl)}` : `lists ${(c.lists as number[]).join(',')}\t${String(c.url)}`;
          console.log(`${String(c.id)}\t${String(c.kind)}\t${where}\t${backfillText(c.backfill)}`);
        }
      }),
    );

  connector
    .command('backfill')
    .description('push every confirmed reader to the tool, in the background, within its limits; run again to resume a failed one (`connector list` shows the progress)')
    .requiredOption('--id <id>', 'the connector (as `connector list` shows it)')
    .addOption(tokenOption())
    .action(async (o: { id: string; token?: string }) =>
      withApi(o.token, async (api) => {
        const progress = await api.call('POST', `/v1/admin/connectors/${encodeURIComponent(o.id)}/backfill`);
        console.log(`connector ${o.id}: ${backfillText(progress)}`);
        console.log(JSON.stringify(progress));
      }),
    );

  connector
    .command('remove')
    .description('remove a connector: nothing more is pushed to the tool or taken from it')
    .requiredOption('--id <id>', 'the connector (as `connector list` shows it)')
    .addOption(tokenOption())
    .action(async (o: { id: string; token?: string }) =>
      withApi(o.token, async (api) => {
        await api.call('DELETE', `/v1/admin/connectors/${encodeURIComponent(o.id)}`);
        console.log(`removed connector ${o.id}`);
      }),
    );
};
