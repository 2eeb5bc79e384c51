import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { parse, onFirstUse } from '../core/shared/schema.js';
import { RateLimitedError } from '../core/shared/errors.js';
import type { RateLimit, RateLimiter } from '../core/shared/limits.js';
import { epochSeconds, keys } from './dynamo-keys.js';

const Counter = /* @__PURE__ */ onFirstUse(() => z.object({ hits: z.int() }));

/** Fixed windows as atomic counters (one UpdateItem per hit); the TTL attribute lets DynamoDB drop old windows. */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async hit(rule: RateLimit, key: string, now: Date): Promise<void> {
    const nowSeconds = epochSeconds(now);
    const windowStart = nowSeconds - (nowSeconds % rule.windowSeconds);
    const windowEnd = windowStart + rule.windowSeconds;
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.rateWindow(rule.name, key, windowStart),
        UpdateExpression: 'ADD hits :one SET expiresAt = if_not_exists(expiresAt, :expiresAt)',
        ExpressionAttributeValues: { ':one': 1, ':expiresAt': windowEnd + 60 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const { hits } = parse(Counter, Attributes);
    if (hits > rule.limit) throw new RateLimitedError(Math.max(1, windowEnd - nowSeconds));
  }
}
