import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { Connector, type ConnectorStore } from '../core/connectors/admin.js';
import type { BackfillStore } from '../core/connectors/backfill.js';
import { type Backfill, BackfillCursor } from '../core/connectors/backfill-model.js';
import { onFirstUse, parse } from '../core/shared/schema.js';
import { openToken, sealToken } from '../core/shared/secrets.js';
import { queryAll } from './dynamo-pages.js';

/** Item keys of the connectors, in the subscribers table (see the data model). */
export const connectorKeys = {
  connector: (id: string) => ({ pk: `CONNECTOR#${id}`, sk: 'CONNECTOR' }),
};

const Sealed = /* @__PURE__ */ onFirstUse(() => z.object({ settings: z.unknown(), webhookSecret: z.optional(z.string()) }));

const ConnectorItem = /* @__PURE__ */ onFirstUse(() => z.object({
  id: z.string(),
  kind: z.string(),
  createdAt: z.string(),
  pulledUntil: z.optional(z.string()),
  /** The backfill's progress; its cursor (which names an address) sealed like the settings. */
  backfill: z.optional(z.looseObject({ cursor: z.optional(z.string()) })),
  /** The settings with their key or token, and the webhook secret: sealed (AES-256-GCM), bound to the connector's id. */
  sealed: z.string(),
}));

/**
 * The newsroom's connectors. A connector's settings (its API key or token among them) and its webhook secret are
 * sealed under a key derived from the stage's signing secret, bound to the connector's id, as webhook secrets are:
 * the table, a backup or an export never holds them in clear.
 */
export class DynamoConnectors implements ConnectorStore, BackfillStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sealKey: Buffer,
  ) {}

  private toConnector(raw: unknown): Connector {
    const { sealed, kind: _kind, backfill, ...item } = parse(ConnectorItem, raw);
    const opened = openToken(this.sealKey, `connector-secret:${item.id}`, sealed, Sealed);
    const cursor = backfill?.cursor === undefined ? undefined : openToken(this.sealKey, `connector-cursor:${item.id}`, backfill.cursor, BackfillCursor);
    return parse(Connector, { ...item, ...opened, ...(backfill ? { backfill: { ...backfill, cursor } } : {}) });
  }

  /** A backfill as kept: its cursor sealed, bound to the connector (an erased reader's address is never in clear). */
  private backfillItem(id: string, { cursor, ...rest }: Backfill) {
    return { ...rest, ...(cursor ? { cursor: sealToken(this.sealKey, `connector-cursor:${id}`, cursor) } : {}) };
  }

  /** An update that is false, not an error, when its condition fails. */
  private async conditional(input: ConstructorParameters<typeof UpdateCommand>[0]) {
    try {
      await this.client.send(new UpdateCommand(input));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  startBackfill(id: string, backfill: Backfill, expectedStep: number | undefined) {
    return this.conditional({
      TableName: this.tableName,
      Key: connectorKeys.connector(id),
      UpdateExpression: 'SET #b = :b',
      ConditionExpression: expectedStep === undefined ? 'attribute_exists(pk) AND attribute_not_exists(#b)' : 'attribute_exists(pk) AND #b.#step = :s',
      ExpressionAttributeNames: { '#b': 'backfill', ...(expectedStep === undefined ? {} : { '#step': 'step' }) },
      ExpressionAttributeValues: { ':b': this.backfillItem(id, backfill), ...(expectedStep === undefined ? {} : { ':s': expectedStep }) },
    });
  }

  claimBackfill(id: string, step: number, now: string, leaseUntil: string) {
    return this.conditional({
      TableName: this.tableName,
      Key: connectorKeys.connector(id),
      UpdateExpression: 'SET #b.#lease = :lease',
      ConditionExpression: '#b.#step = :s AND #b.#state = :running AND (attribute_not_exists(#b.#lease) OR #b.#lease <= :now)',
      ExpressionAttributeNames: { '#b': 'backfill', '#step': 'step', '#state': 'state', '#lease': 'leaseUntil' },
      ExpressionAttributeValues: { ':lease': leaseUntil, ':s': step, ':running': 'running', ':now': now },
    });
  }

  saveBackfill(id: string, backfill: Backfill, held: { step: number; leaseUntil: string }) {
    return this.conditional({
      TableName: this.tableName,
      Key: connectorKeys.connector(id),
      UpdateExpression: 'SET #b = :b',
      ConditionExpression: '#b.#step = :s AND #b.#lease = :held',
      ExpressionAttributeNames: { '#b': 'backfill', '#step': 'step', '#lease': 'leaseUntil' },
      ExpressionAttributeValues: { ':b': this.backfillItem(id, backfill), ':s': held.step, ':held': held.leaseUntil },
    });
  }

  async create(connector: Connector) {
    const { settings, webhookSecret, ...rest } = connector;
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...connectorKeys.connector(connector.id),
          gsi1pk: 'CONNECTORS',
          gsi1sk: `${connector.createdAt}#${connector.id}`,
          ...rest,
          kind: settings.kind,
          sealed: sealToken(this.sealKey, `connector-secret:${connector.id}`, { settings, webhookSecret }),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: connectorKeys.connector(id), ConsistentRead: true }));
    return Item ? this.toConnector(Item) : undefined;
  }

  async list() {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': 'CONNECTORS' },
    });
    return items.map((item) => this.toConnector(item));
  }

  async remove(id: string) {
    const { Attributes } = await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: connectorKeys.connector(id), ReturnValues: 'ALL_OLD' }));
    return Attributes !== undefined;
  }

  async savePulledUntil(id: string, until: string) {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: connectorKeys.connector(id),
          UpdateExpression: 'SET pulledUntil = :u',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(pulledUntil) OR pulledUntil < :u)',
          ExpressionAttributeValues: { ':u': until },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      });
  }
}
