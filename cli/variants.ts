import { type Command, InvalidArgumentError, Option } from 'commander';
import { DynamoExperimentStore } from '../functions/adapters/dynamo-experiments.js';
import { CampaignId, Frequency } from '../functions/core/donations/model.js';
import { CONTROL, type Experiment, Variant, VariantId } from '../functions/core/experiments/model.js';
import { ValidationError } from '../functions/core/shared/errors.js';
import { safeParse, type Schema } from '../functions/core/shared/schema.js';
import type { Target } from './target.js';

const schema =
  <T>(type: Schema<T>) =>
  (value: string): T => {
    const result = safeParse(type, value);
    if (!result.success) throw new InvalidArgumentError(result.error.issues[0]?.message ?? 'invalid');
    return result.data;
  };

const amounts = (value: string) => {
  if (!/^\d+(,\d+)*$/.test(value)) throw new InvalidArgumentError('amounts are whole numbers of minor units, comma-separated (1000,2500,5000).');
  return value.split(',').map(Number);
};

const weight = (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1000) throw new InvalidArgumentError('a weight is a number from 0 to 1000 (relative to the others).');
  return n;
};

/** One line per variant: what `campaign variant` commands print after a change. */
export const describeExperiment = (experiment: Experiment): string[] => {
  const total = experiment.variants.reduce((sum, v) => sum + v.weight, 0);
  const lines = experiment.variants.map((v) => {
    const share = total > 0 ? `${((100 * v.weight) / total).toFixed(0)} % of views` : 'no views';
    const own = [v.headline && `headline "${v.headline}"`, v.ask && `ask "${v.ask}"`, v.amounts && `amounts ${v.amounts.join(',')}`, v.frequency && `frequency ${v.frequency}`]
      .filter(Boolean)
      .join(', ');
    return `  ${v.id}\tweight ${v.weight} (${share})${own ? `\t${own}` : v.id === CONTROL ? "\tthe campaign's own appeal" : ''}`;
  });
  const allocation = experiment.allocation === 'thompson' ? 'views follow the results (Thompson sampling)' : 'views drawn by the weights';
  return [`campaign ${experiment.campaign}: ${experiment.variants.length} variants, ${allocation}, counted since ${experiment.since}`, ...lines];
};

/**
 * `campaign variant set|remove|keep|allocate`: the variants of a campaign's appeal (API.md, appeal experiments),
 * written straight to the target's table as `campaign create` is.
 */
export const addVariantCommands = (campaign: Command, withTarget: (run: (target: Target) => Promise<void>) => Promise<void>) => {
  const variant = campaign.command('variant').description("variants of a campaign's appeal, shown to page views by weight (an experiment)");
  const store = (t: Target) => new DynamoExperimentStore(t.dynamo, t.tables.donations);
  const print = (experiment: Experiment) => console.log(describeExperiment(experiment).join('\n'));

  variant
    .command('set')
    .description('add a variant or change one (weights are relative; `control` is the campaign\'s own appeal, weight 1 unless set)')
    .requiredOption('--campaign <id>', 'campaign id', schema(CampaignId))
    .requiredOption('--id <id>', 'variant id: lowercase letters, digits, dashes, at most 40 (`control`: the campaign\'s own)', schema(VariantId))
    .option('--headline <text>', 'the banner\'s headline (default: the campaign\'s title)')
    .option('--ask <text>', 'the banner\'s ask, the sentence under the headline')
    .option('--amounts <list>', 'suggested amounts, comma-separated minor units (1000,2500,5000)', amounts)
    .addOption(new Option('--frequency <once|monthly>', 'the frequency chosen at first').choices(Frequency.options))
    .requiredOption('--weight <n>', 'its share of page views, relative to the others (0: shown to nobody)', weight)
    .action(async (o: { campaign: string; id: string; headline?: string; ask?: string; amounts?: number[]; frequency?: 'once' | 'monthly'; weight: number }) => {
      const own = { headline: o.headline, ask: o.ask, amounts: o.amounts, frequency: o.frequency };
      if (o.id === CONTROL && Object.values(own).some((value) => value !== undefined)) {
        throw new ValidationError('invalid_field', "The control is the campaign's own appeal: change it with `campaign create`, and give the control only a weight.", { field: 'id' });
      }
      const parsed = safeParse(Variant, { id: o.id, weight: o.weight, ...Object.fromEntries(Object.entries(own).filter(([, value]) => value !== undefined)) });
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new ValidationError('invalid_field', `--${issue?.path.join('.')}: ${issue?.message ?? 'invalid'}`, { field: issue?.path.join('.') });
      }
      return withTarget(async (t) => {
        const experiment = await store(t).setVariant(o.campaign, parsed.data, new Date());
        console.log(`set variant ${o.id} of campaign ${o.campaign} on ${t.description}`);
        print(experiment);
      });
    });

  variant
    .command('remove')
    .description('remove a variant (its counts are no longer shown); with the control alone left, the experiment is over')
    .requiredOption('--campaign <id>', 'campaign id', schema(CampaignId))
    .requiredOption('--id <id>', 'variant id', schema(VariantId))
    .action(async (o: { campaign: string; id: string }) =>
      withTarget(async (t) => {
        const experiment = await store(t).removeVariant(o.campaign, o.id, new Date());
        console.log(`removed variant ${o.id} of campaign ${o.campaign} on ${t.description}`);
        print(experiment);
      }),
    );

  variant
    .command('keep')
    .description('end the experiment by keeping one variant: every other one goes to weight 0 (shown to nobody; the results stay readable)')
    .requiredOption('--campaign <id>', 'campaign id', schema(CampaignId))
    .requiredOption('--id <id>', 'the variant to keep (`control`: the campaign\'s own appeal)', schema(VariantId))
    .action(async (o: { campaign: string; id: string }) =>
      withTarget(async (t) => {
        const experiment = await store(t).keepVariant(o.campaign, o.id, new Date());
        console.log(`kept variant ${o.id} of campaign ${o.campaign} on ${t.description}: every page view now shows it`);
        print(experiment);
      }),
    );

  variant
    .command('allocate')
    .description('how page views are shared: by the set weights (default), or following the results so far (Thompson sampling, updated every minute)')
    .requiredOption('--campaign <id>', 'campaign id', schema(CampaignId))
    .addOption(new Option('--thompson', 'show each variant as often as it is likely to be the best (a variant at weight 0 stays out)').conflicts('weights'))
    .addOption(new Option('--weights', 'draw page views by the set weights'))
    .action(async (o: { campaign: string; thompson?: boolean; weights?: boolean }) => {
      if (!o.thompson && !o.weights) throw new InvalidArgumentError('say how: --thompson or --weights');
      return withTarget(async (t) => {
        const experiment = await store(t).setAllocation(o.campaign, o.thompson ? 'thompson' : 'weights', new Date());
        console.log(`campaign ${o.campaign} on ${t.description}: ${o.thompson ? 'views follow the results' : 'views drawn by the weights'}`);
        print(experiment);
      });
    });
};
