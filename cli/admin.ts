import { createWriteStream, existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { DynamoAdminTokens } from '../functions/adapters/dynamo-admin.js';
import { DynamoCampaignRepository } from '../functions/adapters/dynamo-donations.js';
import { DEFAULT_SHARDS, MAX_SHARDS } from '../functions/core/subscriptions/counting.js';
import { createAdminToken, revokeAdminTokens } from '../functions/core/admin/admin.js';
import { checkCampaignCurrency, defaultBounds, saveCampaign } from '../functions/core/donations/campaigns.js';
import { CampaignId, CampaignTitle, CurrencyCode, Frequency, Upsell } from '../functions/core/donations/model.js';
import { DomainError } from '../functions/core/shared/errors.js';
import { DonationConfig } from '../functions/configs.js';
import { loadStageConfig } from '../infra/config.js';
import { formatMoney } from '../functions/core/shared/money.js';
import { parse, safeParse, type Schema } from '../functions/core/shared/schema.js';
import { AdminApiError, adminApi } from './api.js';
import { addEditorCommands, auditCli } from './editor.js';
import { addEmbedCommand } from './embed.js';
import { addDoctorCommand } from './doctor.js';
import { addStripeCommand } from './stripe-setup.js';
import { addDonorCommands } from './donors.js';
import { addVariantCommands } from './variants.js';
import { addWebhookCommand } from './webhooks.js';
import { addConnectorCommand } from './connectors.js';
import { exportDestination } from './export-file.js';
import { localTarget, stageTarget, type Target } from './target.js';
import { ConfirmationRequiredError, confirm, count, progress } from './terminal.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = new Command('appeal-admin')
  .description('Administer Appeal: the dev server\'s data (default) or, with --stage, a deployed stack.')
  .option('--data-dir <dir>', 'the dev server\'s data folder', process.env.APPEAL_DATA_DIR ?? '.appeal')
  .option('--stage <name>', 'work on a deployed stage (uses your AWS credentials)')
  .option('--region <region>', 'AWS region of the stage (default: the region in infra/stages/<stage>.json, else AWS_REGION or your profile\'s)')
  .showHelpAfterError();

const target = (): Promise<Target> => {
  const options = program.opts<{ dataDir: string; stage?: string; region?: string }>();
  return options.stage ? stageTarget(options.stage, options.region) : localTarget(options.dataDir);
};

/** Runs a command against the target, always releasing it. */
const withTarget = async (run: (target: Target) => Promise<void>) => {
  const t = await target();
  try {
    await run(t);
  } finally {
    await t.close();
  }
};

const integer = (name: string) => (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number of minor units (2500 = 25.00).`);
  return Number(value);
};
const schema = <T>(type: Schema<T>) =>
  (value: string): T => {
    const result = safeParse(type, value);
    if (!result.success) throw new InvalidArgumentError(result.error.issues[0]?.message ?? 'invalid');
    return result.data;
  };

/**
 * The currencies checkout accepts on the target, so that no campaign is made in one it would refuse: `CURRENCIES`
 * when set (as the dev server takes it), else the stage's `currencies`, else the functions' default.
 */
const acceptedCurrencies = (): string[] => {
  const stage = program.opts<{ stage?: string }>().stage;
  const stageFile = stage && fileURLToPath(new URL(`../infra/stages/${stage}.json`, import.meta.url));
  if (process.env.CURRENCIES === undefined && stageFile && existsSync(stageFile)) return loadStageConfig(stageFile).currencies;
  return parse(DonationConfig.shape.CURRENCIES, process.env.CURRENCIES);
};

/** `--upsell 1000:500,2500:800`: each one-time amount and the monthly amount offered instead, smallest first. */
const parseUpsell = (value: string): Upsell => {
  const steps = value.split(',').map((s) => s.trim()).filter(Boolean).map((step) => {
    const match = /^(\d+):(\d+)$/.exec(step);
    if (!match) throw new InvalidArgumentError(`upsell step "${step}" must be AMOUNT:MONTHLY in minor units, such as 2500:800.`);
    return { amount: Number(match[1]), monthly: Number(match[2]) };
  });
  const result = safeParse(Upsell, steps);
  if (!result.success) throw new InvalidArgumentError(result.error.issues[0]?.message ?? 'invalid upsell');
  return result.data;
};
const days = (name: string) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 3650) throw new InvalidArgumentError(`${name} must be a whole number of days from 0 to 3650.`);
  return n;
};

const campaign = program.command('campaign').description('donation campaigns');
const campaigns = (t: Target, shards?: number) => new DynamoCampaignRepository(t.dynamo, t.tables.donations, shards);

campaign
  .command('create')
  .description('create a campaign, or update the settings of an existing one (its totals are kept; a closed one stays closed unless --reopen)')
  .requiredOption('--id <id>', 'campaign id: lowercase letters, digits, dashes', schema(CampaignId))
  .requiredOption('--title <title>', 'title shown on the banner and receipts: one line', schema(CampaignTitle))
  .requiredOption('--goal <amount>', 'goal, in minor units', integer('goal'))
  .requiredOption('--currency <code>', 'lowercase ISO 4217 code accepted by CURRENCIES (default usd, eur, gbp); fixed once created', schema(CurrencyCode))
  .option('--min <amount>', 'smallest gift, in minor units (default 1.00)', integer('min'))
  .option('--max <amount>', 'largest gift, in minor units (default 100,000.00)', integer('max'))
  .option('--suggested <amounts>', 'suggested amounts, comma-separated minor units', (v) => v.split(',').map(integer('suggested')))
  .addOption(new Option('--closed', 'create it closed, or close it (takes no gifts)'))
  .addOption(new Option('--reopen', 'let a closed campaign take gifts again (without it, updating a closed campaign keeps it closed)').conflicts('closed'))
  .option('--shards <n>', `items its totals are spread over, fixed at creation (default ${DEFAULT_SHARDS}; more for a bigger appeal)`, (v) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > MAX_SHARDS) throw new InvalidArgumentError(`shards must be a whole number from 1 to ${MAX_SHARDS}.`);
    return n;
  })
  .option('--default-frequency <frequency>', 'what the chooser and the banner start on: once or monthly (default once)', schema(Frequency))
  .option('--upsell <steps>', 'the monthly ask after a one-time amount, as AMOUNT:MONTHLY in minor units, comma-separated (1000:500,2500:800: from 10.00 once, offer 5.00 a month); "" for none', parseUpsell)
  .option('--thank-days <n>', 'days the embed thanks a browser that gave instead of asking (default 90)', days('thank-days'))
  .option('--snooze-days <n>', 'days the embed stays hidden after its close button (default 14)', days('snooze-days'))
  .action(async (o: { id: string; title: string; goal: number; currency: string; min?: number; max?: number; suggested?: number[]; closed?: boolean; reopen?: boolean; shards?: number; defaultFrequency?: Frequency; upsell?: Upsell; thankDays?: number; snoozeDays?: number }) => {
    const currencies = acceptedCurrencies();
    checkCampaignCurrency(o.currency, currencies); // before opening the target: nothing to do there
    return withTarget(async (t) => {
      const repo = campaigns(t, o.shards);
      const existing = await repo.get(o.id);
      const bounds = defaultBounds(o.currency);
      const saved = await saveCampaign(
        { campaigns: repo, clock: { now: () => new Date() }, settings: { currencies } },
        {
          id: o.id,
          title: o.title,
          goal: o.goal,
          currency: o.currency,
          open: !o.closed,
          suggestedAmounts: o.suggested ?? existing?.suggestedAmounts ?? [1000, 2500, 5000, 10000].map((a) => (a / 100) * bounds.minAmount),
          minAmount: o.min ?? existing?.minAmount ?? bounds.minAmount,
          maxAmount: o.max ?? existing?.maxAmount ?? bounds.maxAmount,
          // The appeal's settings: each kept as it is unless given.
          defaultFrequency: o.defaultFrequency ?? existing?.defaultFrequency,
          upsell: o.upsell ?? existing?.upsell,
          thankDays: o.thankDays ?? existing?.thankDays,
          snoozeDays: o.snoozeDays ?? existing?.snoozeDays,
        },
        { reopen: o.reopen === true },
      );
      // Whether it takes gifts is said every time: an ended appeal is never reopened without --reopen.
      const state =
        existing && !existing.open && !saved.open && !o.closed
          ? 'it stays closed and takes no gifts (pass --reopen to take gifts again)'
          : existing && !existing.open && saved.open
            ? 'reopened: it takes gifts again'
            : saved.open
              ? 'open: it takes gifts'
              : 'closed: it takes no gifts';
      console.log(`${existing ? 'updated' : 'created'} campaign ${saved.id} on ${t.description}; ${state}`);
    });
  });

campaign
  .command('list')
  .description('list campaigns with their totals')
  .action(async () =>
    withTarget(async (t) => {
      const all = await campaigns(t).list();
      if (all.length === 0) console.log('no campaigns');
      for (const c of all) {
        console.log(
          `${c.id}\t${c.open ? 'open' : 'closed'}\t${formatMoney(c.raised, c.currency)} of ${formatMoney(c.goal, c.currency)}\t${c.donations} gifts\t${c.donors} donors\t${c.title}`,
        );
      }
    }),
  );

campaign
  .command('close')
  .description('stop a campaign taking gifts (its page and totals stay)')
  .argument('<id>', 'campaign id')
  .action(async (id: string) =>
    withTarget(async (t) => {
      const repo = campaigns(t);
      const existing = await repo.get(id);
      if (!existing) throw new Error(`there is no campaign ${id}`);
      const { shards: _s, raised: _r, donations: _d, donors: _n, createdAt: _c, updatedAt: _u, ...settings } = existing;
      await repo.saveSettings({ ...settings, open: false }, new Date());
      console.log(`closed campaign ${id}`);
    }),
  );

// The variants of a campaign's appeal: an experiment (cli/variants.ts).
addVariantCommands(campaign, withTarget);

// ---- tokens -------------------------------------------------------------------------------------------------

const token = program.command('token').description('admin API tokens');
const tokenStore = (t: Target) => new DynamoAdminTokens(t.dynamo, t.tables.subscribers);

token
  .command('create')
  .description('create an admin token; it is printed once, as the last line')
  .requiredOption('--name <name>', 'who or what uses it, e.g. "ops laptop"')
  .action(async (o: { name: string }) =>
    withTarget(async (t) => {
      const { token: secret, record } = await createAdminToken({ tokens: tokenStore(t), clock: { now: () => new Date() } }, o.name);
      await auditCli(t, 'token.create', `${record.id} ${record.name}`);
      console.log(`created token ${record.id} (${record.name}) on ${t.description}; it is shown only now:`);
      console.log(secret);
    }),
  );

token
  .command('list')
  .description('list admin tokens (never their values)')
  .action(async () =>
    withTarget(async (t) => {
      const all = await tokenStore(t).list();
      if (all.length === 0) console.log('no tokens');
      const now = Date.now();
      for (const r of all) {
        // A temporary token's end (a killed run's token is refused from then on, and deleted some time later).
        const expiry = r.expiresAt ? `\t${Date.parse(r.expiresAt) <= now ? 'expired' : 'expires'} ${r.expiresAt}` : '';
        console.log(`${r.id}\t${r.name}\tcreated ${r.createdAt}\tlast used ${r.lastUsedAt ?? 'never'}${expiry}`);
      }
    }),
  );

token
  .command('revoke')
  .description('revoke every token with a name, or (--id) the one token with an id; says which it revoked')
  .argument('[name]', 'revoke every token with this name (as `token list` shows it)')
  .option('--id <id>', 'revoke only the token with this id (the first column of `token list`)')
  .action(async (name: string | undefined, o: { id?: string }) => {
    if ((name === undefined) === (o.id === undefined)) throw new InvalidArgumentError('name a token (NAME) or give its id (--id ID), not both');
    return withTarget(async (t) => {
      const tokens = tokenStore(t);
      if (o.id !== undefined) {
        const [revoked] = await revokeAdminTokens({ tokens }, { id: o.id });
        if (!revoked) throw new Error(`there is no token with id ${o.id}`);
        await auditCli(t, 'token.revoke', `${revoked.id} ${revoked.name}`);
        console.log(`revoked token ${revoked.id} (${revoked.name}) on ${t.description}`);
        return;
      }
      const named = name ?? '';
      const revoked = await revokeAdminTokens({ tokens }, { name: named });
      if (revoked.length === 0) throw new Error(`there is no token named "${named.trim()}"`);
      for (const r of revoked) await auditCli(t, 'token.revoke', `${r.id} ${r.name}`);
      console.log(`revoked ${count(revoked.length, 'token')} named "${named.trim()}" on ${t.description}: ${revoked.map((r) => r.id).join(', ')}`);
    });
  });

// ---- exports and data requests (through the admin API) ----------------------------------------------------

/** Runs a command through the admin API (a temporary token unless one is given), always cleaning up. */
const withApi = (token: string | undefined, run: (api: Awaited<ReturnType<typeof adminApi>>) => Promise<void>) =>
  withTarget(async (t) => {
    const api = await adminApi(t, token);
    try {
      await run(api);
    } finally {
      await api.close();
    }
  });

const tokenOption = () => new Option('--token <token>', 'admin token (default: $APPEAL_ADMIN_TOKEN, or a temporary one)').env('APPEAL_ADMIN_TOKEN');

/** The CLI's words for a time filter: a date is a whole UTC day (API.md's exports). */
const SINCE = 'from this date (2026-11-01: from the start of that day, UTC) or ISO 8601 time (2026-11-01T09:00:00Z)';
const UNTIL = 'until this date (2026-11-30: to the end of that day, UTC) or ISO 8601 time';

program
  .command('export')
  .description('export subscribers, donations or the Gift Aid schedule to CSV (UTF-8 with a byte-order mark, for Excel): starts the export, shows progress on a terminal, downloads the file')
  .argument('<kind>', 'subscribers, donations or gift-aid (HMRC\'s Gift Aid schedule; --since and --until only)', (v) => {
    if (v !== 'subscribers' && v !== 'donations' && v !== 'gift-aid') throw new InvalidArgumentError('subscribers, donations or gift-aid');
    return v;
  })
  .option('--status <status>', 'subscribers: pending, confirmed, unsubscribed, bounced or complained; donations: paid, partially_refunded, refunded, disputed, processing, failed')
  .option('--list <id>', 'subscribers: one list')
  .option('--campaign <id>', 'donations: one campaign')
  .option('--since <when>', SINCE)
  .option('--until <when>', UNTIL)
  .option('-o, --out <path>', 'where to write the CSV: a file (replaced), a folder, or "-" for standard output (default: <kind>[-<filter>]-<date>.csv here, never replacing a file)')
  .addOption(tokenOption())
  .action(async (kind: string, o: { status?: string; list?: string; campaign?: string; since?: string; until?: string; out?: string; token?: string }) => {
    const { status, list, campaign, since, until } = o;
    // Where it goes is settled first: a missing folder fails now, not after the export ran.
    const destination = exportDestination(o.out, { kind, status, list, campaign }, new Date());
    return withApi(o.token, async (api) => {
      const started = await api.call('POST', '/v1/admin/exports', { kind, status, list, campaign, since, until });
      const id = String(started.id);
      const shown = progress(process.stderr);
      shown.line(`export ${id} started`);
      const begin = Date.now();
      let state = started;
      while (state.status === 'running') {
        shown.update(`export ${id}: running, ${count(Number(state.rows ?? 0), 'row')} so far, ${((Date.now() - begin) / 1000).toFixed(1)} s`);
        await new Promise((r) => setTimeout(r, 400));
        state = await api.call('GET', `/v1/admin/exports/${id}`);
      }
      shown.clear();
      if (state.status !== 'done' || typeof state.url !== 'string') throw new Error(`export ${id} failed`);
      const download = await fetch(state.url);
      if (!download.ok || !download.body) throw new Error(`download failed: ${download.status}`);
      const body = Readable.fromWeb(download.body as import('node:stream/web').ReadableStream);
      const rows = count(Number(state.rows), 'row');
      if (destination.kind === 'stdout') {
        await pipeline(body, process.stdout);
        shown.line(`${rows} written to standard output`);
        return;
      }
      // Written beside the target and renamed: an interrupted download never leaves half a file under its name.
      const partial = `${destination.path}.part`;
      try {
        await pipeline(body, createWriteStream(partial));
        await rename(partial, destination.path);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
      shown.line(`${rows} written to ${destination.path}`);
    });
  });

const subscriber = program.command('subscriber').description('data-subject requests');

/** What the admin API holds for an address (undefined: nothing at all). */
const heldFor = async (api: Awaited<ReturnType<typeof adminApi>>, email: string) => {
  try {
    return await api.call('GET', `/v1/admin/subscribers/${encodeURIComponent(email)}`);
  } catch (error) {
    if (error instanceof AdminApiError && error.status === 404) return undefined;
    throw error;
  }
};
const donationsIn = (record: Record<string, unknown> | undefined) => (Array.isArray(record?.donations) ? record.donations.length : 0);

subscriber
  .command('show')
  .description('everything stored about an address (an access request), with the donations held for it')
  .argument('<email>')
  .addOption(tokenOption())
  .action(async (email: string, o: { token?: string }) =>
    withApi(o.token, async (api) => {
      const record = await api.call('GET', `/v1/admin/subscribers/${encodeURIComponent(email)}`);
      console.log(JSON.stringify(record, null, 2));
      const donations = donationsIn(record);
      // Financial records outlive an erase: the person is told they are held (stderr: stdout stays the record).
      console.error(
        donations > 0
          ? `${count(donations, 'donation')} held for this address (financial records: kept when the address is erased)`
          : 'no donations held for this address',
      );
    }),
  );

subscriber
  .command('erase')
  .description('erase an address, keeping only a keyed hash so it gets no mailing-list email again (a gift it makes later is still receipted; donation records are kept); asks first')
  .argument('<email>')
  .option('-y, --yes', 'erase without asking (scripts: required when standard input is not a terminal)')
  .addOption(tokenOption())
  .action(async (email: string, o: { yes?: boolean; token?: string }) => {
    const refusal = `not erasing ${email}: nobody can confirm (standard input is not a terminal); pass --yes to erase it without asking`;
    // Refused before anything is opened: a script without --yes changes nothing.
    if (!o.yes && !process.stdin.isTTY) throw new ConfirmationRequiredError(refusal);
    return withApi(o.token, async (api) => {
      if (!o.yes) {
        const record = await heldFor(api, email);
        const status = typeof record?.status === 'string' && record.status !== 'suppressed' ? record.status : undefined;
        const donations = donationsIn(record);
        const held = [
          status ? `its subscriber record (${status}) is deleted for good` : 'no subscriber record is held for it',
          donations > 0 ? `${count(donations, 'donation record')} ${donations === 1 ? 'is' : 'are'} kept (financial records)` : undefined,
        ].filter(Boolean);
        const question = `Erase ${email}? ${held.join('; ')}; the address will get no mailing-list email again unless it signs up afresh (a gift it makes later is still receipted).`;
        if (!(await confirm(question, refusal, { input: process.stdin, output: process.stderr }))) {
          console.error(`not erased: ${email}`);
          process.exitCode = 1;
          return;
        }
      }
      await api.call('DELETE', `/v1/admin/subscribers/${encodeURIComponent(email)}`);
      console.log(`erased ${email}`);
    });
  });

// The console's editors (cli/editor.ts).
addEditorCommands(program, withTarget);

// The HTML that embeds the banner and the signup form in the site's pages (cli/embed.ts).
addEmbedCommand(program, target);

// Stripe's webhook endpoint and Customer Portal, made through its API (cli/stripe-setup.ts).
addStripeCommand(program);

// Signed events for the newsroom's own tools: endpoints, secrets, delivery logs (cli/webhooks.ts).
addWebhookCommand(program, withApi, tokenOption);

// The newsletter tools kept in step with the readers: Mailchimp, listmonk (cli/connectors.ts).
addConnectorCommand(program, withApi, tokenOption);

// Is the target ready for readers and donors: each check with its fix, then the smoke test (cli/doctor.ts).
addDoctorCommand(program);

addDonorCommands(program, target);

try {
  await program.parseAsync();
} catch (error) {
  const message = error instanceof DomainError || error instanceof Error ? error.message : String(error);
  console.error(`error: ${message}`);
  process.exitCode = 1;
}
