import { Command, InvalidArgumentError, Option } from 'commander';
import { DynamoCampaignRepository } from '../functions/adapters/dynamo-donations.js';
import { CampaignId, CurrencyCode } from '../functions/core/donations-model.js';
import { defaultBounds, saveCampaign } from '../functions/core/donations.js';
import { DomainError } from '../functions/core/errors.js';
import { formatMoney } from '../functions/core/money.js';
import { localTarget, stageTarget, type Target } from './admin/target.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const program = new Command('appeal-admin')
  .description('Administer Appeal: the dev server\'s data (default) or, with --stage, a deployed stack.')
  .option('--data-dir <dir>', 'the dev server\'s data folder', process.env.APPEAL_DATA_DIR ?? '.appeal')
  .option('--stage <name>', 'work on a deployed stage (uses your AWS credentials)')
  .option('--region <region>', 'AWS region of the stage', process.env.AWS_REGION)
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
const schema = <T>(type: { safeParse: (v: unknown) => { success: true; data: T } | { success: false; error: { issues: { message: string }[] } } }) =>
  (value: string): T => {
    const result = type.safeParse(value);
    if (!result.success) throw new InvalidArgumentError(result.error.issues[0]?.message ?? 'invalid');
    return result.data;
  };

const campaign = program.command('campaign').description('donation campaigns');
const campaigns = (t: Target) => new DynamoCampaignRepository(t.dynamo, t.tables.donations);

campaign
  .command('create')
  .description('create a campaign, or update the settings of an existing one (its totals are kept)')
  .requiredOption('--id <id>', 'campaign id: lowercase letters, digits, dashes', schema(CampaignId))
  .requiredOption('--title <title>', 'title shown on the banner and receipts')
  .requiredOption('--goal <amount>', 'goal, in minor units', integer('goal'))
  .requiredOption('--currency <code>', 'lowercase ISO 4217 code, e.g. usd', schema(CurrencyCode))
  .option('--min <amount>', 'smallest gift, in minor units (default 1.00)', integer('min'))
  .option('--max <amount>', 'largest gift, in minor units (default 100,000.00)', integer('max'))
  .option('--suggested <amounts>', 'suggested amounts, comma-separated minor units', (v) => v.split(',').map(integer('suggested')))
  .addOption(new Option('--closed', 'create it closed (takes no gifts)'))
  .action(async (o: { id: string; title: string; goal: number; currency: string; min?: number; max?: number; suggested?: number[]; closed?: boolean }) =>
    withTarget(async (t) => {
      const repo = campaigns(t);
      const existing = await repo.get(o.id);
      const bounds = defaultBounds(o.currency);
      const saved = await saveCampaign(
        { campaigns: repo, clock: { now: () => new Date() } },
        {
          id: o.id,
          title: o.title,
          goal: o.goal,
          currency: o.currency,
          open: !o.closed,
          suggestedAmounts: o.suggested ?? existing?.suggestedAmounts ?? [1000, 2500, 5000, 10000].map((a) => (a / 100) * bounds.minAmount),
          minAmount: o.min ?? existing?.minAmount ?? bounds.minAmount,
          maxAmount: o.max ?? existing?.maxAmount ?? bounds.maxAmount,
        },
      );
      console.log(`${existing ? 'updated' : 'created'} campaign ${saved.id} on ${t.description}`);
    }),
  );

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
      const { raised: _r, donations: _d, donors: _n, createdAt: _c, updatedAt: _u, ...settings } = existing;
      await repo.saveSettings({ ...settings, open: false }, new Date());
      console.log(`closed campaign ${id}`);
    }),
  );

try {
  await program.parseAsync();
} catch (error) {
  const message = error instanceof DomainError || error instanceof Error ? error.message : String(error);
  console.error(`error: ${message}`);
  process.exitCode = 1;
}
