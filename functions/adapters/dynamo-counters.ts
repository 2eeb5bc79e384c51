import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Counters } from '../core/ports.js';
import { applyOp, ensureOpsMap, type OpTarget, retireOp } from './dynamo-ops.js';

const COUNTER = /^(status|list):/;

/** The subscriber counts: one item (`STATS`/`SUBSCRIBERS`) of number attributes named `status:…`, `list:…`. */
export class DynamoCounters implements Counters {
  private readonly target: OpTarget;
  private ready: Promise<unknown> | undefined;

  constructor(client: DynamoDBDocumentClient, tableName: string, key = { pk: 'STATS', sk: 'SUBSCRIBERS' }) {
    this.target = { client, tableName, key };
  }

  async apply(opId: string, deltas: Record<string, number>, now: Date) {
    this.ready ??= ensureOpsMap(this.target).catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    return applyOp(this.target, opId, deltas, { now });
  }

  retire(opId: string, now: Date) {
    return retireOp(this.target, opId, now);
  }

  async read() {
    const { Item } = await this.target.client.send(
      new GetCommand({ TableName: this.target.tableName, Key: this.target.key, ConsistentRead: true }),
    );
    return Object.fromEntries(
      Object.entries(Item ?? {}).filter((e): e is [string, number] => COUNTER.test(e[0]) && typeof e[1] === 'number'),
    );
  }
}
