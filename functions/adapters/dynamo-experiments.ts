import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type * as z from 'zod/mini';
import { type Allocation, CONTROL, type Experiment, type Variant } from '../core/experiments/model.js';
import type { ExperimentStore } from '../core/experiments/ports.js';
import { ConflictError, NotFoundError, ValidationError } from '../core/shared/errors.js';
import { parse } from '../core/shared/schema.js';
import { conflictOnCondition, putVersioned } from './dynamo-keys.js';
import { DynamoExperimentReader, experimentKeys, VariantsItem, withControl } from './dynamo-experiment-reader.js';

export { DynamoExperimentReader, experimentKeys } from './dynamo-experiment-reader.js';

/** At most this many variants a campaign, the control included: each one needs its share of views to learn anything. */
export const MAX_VARIANTS = 8;

/**
 * A campaign's variants as the editors change them: the item (see DynamoExperimentReader) written with an
 * optimistic lock.
 */
export class DynamoExperimentStore extends DynamoExperimentReader implements ExperimentStore {
  async setVariant(campaign: string, variant: Variant, now: Date): Promise<Experiment> {
    return this.change(campaign, now, (variants) => {
      const others = variants.filter((v) => v.id !== variant.id);
      if (others.length + 1 > MAX_VARIANTS) throw new ValidationError('too_many_variants', `A campaign has at most ${MAX_VARIANTS} variants.`, { field: 'id' });
      const index = variants.findIndex((v) => v.id === variant.id);
      return index === -1 ? [...variants, variant] : variants.map((v) => (v.id === variant.id ? variant : v));
    });
  }

  async removeVariant(campaign: string, variant: string, now: Date): Promise<Experiment> {
    if (variant === CONTROL) throw new ValidationError('invalid_field', 'The control is the campaign’s own appeal: it cannot be removed.', { field: 'id' });
    return this.change(campaign, now, (variants) => {
      if (!variants.some((v) => v.id === variant)) throw new NotFoundError('The campaign has no variant with this id.');
      return variants.filter((v) => v.id !== variant);
    });
  }

  async keepVariant(campaign: string, variant: string, now: Date): Promise<Experiment> {
    return this.change(campaign, now, (variants) => {
      if (!variants.some((v) => v.id === variant)) throw new NotFoundError('The campaign has no variant with this id.');
      return variants.map((v) => (v.id === variant ? { ...v, weight: v.weight > 0 ? v.weight : 1 } : { ...v, weight: 0 }));
    }, 'weights');
  }

  async setAllocation(campaign: string, allocation: z.infer<typeof Allocation>, now: Date): Promise<Experiment> {
    return this.change(campaign, now, (variants) => variants, allocation);
  }

  /**
   * Reads the variants (strongly consistent), changes them and writes them back if nobody else did meanwhile (else
   * again, with what the other wrote). With the control alone left, the item goes: the experiment is over, and
   * the next one counts from when its first variant is set.
   */
  private async change(campaign: string, now: Date, edit: (variants: Variant[]) => Variant[], allocation?: z.infer<typeof Allocation>): Promise<Experiment> {
    for (let attempt = 1; ; attempt++) {
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: experimentKeys.variants(campaign), ConsistentRead: true }));
      const current: VariantsItem | undefined = Item ? parse(VariantsItem, Item) : undefined;
      const experiment = current ? undefined : await this.get(campaign, true);
      if (!current && !experiment) throw new NotFoundError('There is no campaign with this id.');
      const variants = edit(withControl(current?.variants ?? []));
      // The control alone is no experiment: it is shown to every view whatever its weight (the item goes below).
      if (!variants.some((v) => v.weight > 0) && !variants.every((v) => v.id === CONTROL)) {
        throw new ValidationError('invalid_field', 'At least one variant must have a weight above 0: page views need something to show.', { field: 'weight' });
      }
      const since = current?.since ?? now.toISOString();
      const allocated = allocation ?? current?.allocation;
      try {
        if (variants.every((v) => v.id === CONTROL)) {
          if (current) {
            await this.client
              .send(
                new DeleteCommand({
                  TableName: this.tableName,
                  Key: experimentKeys.variants(campaign),
                  ConditionExpression: '#version = :expected',
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':expected': current.version },
                }),
              )
              .catch(conflictOnCondition('the variants changed concurrently'));
          }
          return (await this.get(campaign, true)) ?? { campaign, variants, since };
        }
        const item = {
          ...experimentKeys.variants(campaign),
          variants,
          since,
          ...(allocated ? { allocation: allocated } : {}),
          version: (current?.version ?? 0) + 1,
          updatedAt: now.toISOString(),
        };
        await putVersioned(this.client, this.tableName, item, current?.version, 'the variants');
        return { campaign, variants, since, ...(allocated ? { allocation: allocated } : {}) };
      } catch (error) {
        if (!(error instanceof ConflictError) || attempt >= 5) throw error;
      }
    }
  }
}
