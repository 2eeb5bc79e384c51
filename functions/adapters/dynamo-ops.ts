import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { z } from 'zod';
import { OP_GRACE_SECONDS } from '../core/ports.js';
import { epochSeconds } from './dynamo-keys.js';

/**
 * Counters guarded by op ids, on one item: the item's `ops` map holds op id → 0 while the op is in flight, or
 * the epoch second it was retired. Used by campaign totals and the subscriber counts.
 */
export interface OpTarget {
  client: DynamoDBDocumentClient;
  tableName: string;
  key: Record<string, string>;
}

const OpsMap = z.record(z.string(), z.number());

/** Makes sure the item and its `ops` map exist (nested paths cannot be set on a missing map). */
export const ensureOpsMap = (target: OpTarget, extraSets = '', values: Record<string, unknown> = {}) =>
  target.client.send(
    new UpdateCommand({
      TableName: target.tableName,
      Key: target.key,
      UpdateExpression: `SET ops = if_not_exists(ops, :noOps)${extraSets}`,
      ExpressionAttributeValues: { ':noOps': {}, ...values },
    }),
  );

/**
 * Adds deltas to top-level number attributes once per op id. Answers false for a repeat (the condition on the
 * op id failed). `condition` can require more (e.g. that the item exists).
 */
export const applyOp = async (
  target: OpTarget,
  opId: string,
  deltas: Record<string, number>,
  options: { now: Date; condition?: string; setUpdatedAt?: boolean },
): Promise<boolean> => {
  const names: Record<string, string> = { '#op': opId };
  const values: Record<string, unknown> = { ':applied': 0, ':zero': 0 };
  const sets = ['ops.#op = :applied'];
  Object.entries(deltas).forEach(([name, delta], i) => {
    names[`#c${i}`] = name;
    values[`:d${i}`] = delta;
    sets.push(`#c${i} = if_not_exists(#c${i}, :zero) + :d${i}`);
  });
  if (options.setUpdatedAt) {
    sets.push('updatedAt = :now');
    values[':now'] = options.now.toISOString();
  }
  try {
    await target.client.send(
      new UpdateCommand({
        TableName: target.tableName,
        Key: target.key,
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: `${options.condition ? `${options.condition} AND ` : ''}attribute_not_exists(ops.#op)`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
};

/** Marks an op retired, and forgets retired ops older than OP_GRACE_SECONDS (see CampaignRepository.retireOp). */
export const retireOp = async (target: OpTarget, opId: string, now: Date) => {
  const { Attributes } = await target.client
    .send(
      new UpdateCommand({
        TableName: target.tableName,
        Key: target.key,
        UpdateExpression: 'SET ops.#op = :retired',
        ConditionExpression: 'attribute_exists(ops.#op)',
        ExpressionAttributeNames: { '#op': opId },
        ExpressionAttributeValues: { ':retired': epochSeconds(now) },
        ReturnValues: 'ALL_NEW',
      }),
    )
    .catch((error: unknown) => {
      if (error instanceof ConditionalCheckFailedException) return { Attributes: undefined }; // retired and pruned before
      throw error;
    });
  const ops = OpsMap.parse(Attributes?.ops ?? {});
  const expired = Object.entries(ops)
    .filter(([, retiredAt]) => retiredAt > 0 && retiredAt < epochSeconds(now) - OP_GRACE_SECONDS)
    .map(([id]) => id)
    .slice(0, 50);
  if (expired.length === 0) return;
  await target.client.send(
    new UpdateCommand({
      TableName: target.tableName,
      Key: target.key,
      UpdateExpression: `REMOVE ${expired.map((_, i) => `ops.#e${i}`).join(', ')}`,
      ExpressionAttributeNames: Object.fromEntries(expired.map((id, i) => [`#e${i}`, id])),
    }),
  );
};
