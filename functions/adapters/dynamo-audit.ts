import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { AuditEntry } from '../core/console/model.js';
import type { AuditLog } from '../core/console/ports.js';
import { parse } from '../core/shared/schema.js';
import { epochSeconds } from './dynamo-keys.js';

/** Every entry's partition: the log is read newest first, and a few entries a minute are far below one key's limits. */
const PARTITION = 'AUDIT';

/**
 * The audit log, in a table of its own whose grants are PutItem and Query only (no function may change or delete
 * an entry). Each entry is a new item, sorted by time (a random suffix keeps two entries of one millisecond
 * apart), and expires `retentionDays` after it was written (the table's time to live).
 */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly retentionDays: number,
  ) {}

  async append(entry: AuditEntry) {
    const at = new Date(entry.at);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: PARTITION, sk: `${entry.at}#${randomBytes(6).toString('hex')}`, ...entry, expiresAt: epochSeconds(at) + this.retentionDays * 86400 },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async recent(limit: number) {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': PARTITION },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return (Items ?? []).map(({ pk: _pk, sk: _sk, expiresAt: _expiresAt, ...entry }) => parse(AuditEntry, entry));
  }
}
