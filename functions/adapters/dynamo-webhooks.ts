import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { WebhookEndpoint } from '../core/events/endpoint.js';
import { DonationEventData, EventSelection, WebhookEvent } from '../core/events/model.js';
import { Delivery, type DeliveryLog, type DeliveryUpdate, type OutboundEvents, type WebhookEndpoints } from '../core/events/ports.js';
import { EndpointSecrets } from '../core/events/signing.js';
import { parse, safeParse, onFirstUse } from '../core/shared/schema.js';
import { openToken, sealToken } from '../core/shared/secrets.js';
import { epochSeconds, indexPartition } from './dynamo-keys.js';
import { queryAll, queryPages, queryPartitions } from './dynamo-pages.js';

/** Item keys of the events for the newsroom's tools, in the subscribers table (see the data model). */
export const webhookKeys = {
  endpoint: (id: string) => ({ pk: `WEBHOOK#${id}`, sk: 'WEBHOOK' }),
  event: (id: string) => ({ pk: `WHEVENT#${id}`, sk: 'WHEVENT' }),
  monthly: (subscription: string) => ({ pk: `WHMONTHLY#${subscription}`, sk: 'WHMONTHLY' }),
  delivery: (id: string) => ({ pk: `WHDELIVERY#${id}`, sk: 'WHDELIVERY' }),
  suppression: (subject: string) => ({ pk: `SUPPRESS#${subject}`, sk: 'SUPPRESS' }),
};

const DAY_MS = 24 * 60 * 60 * 1000;
/** How long an event is kept for its retries and for replays; then it is gone (and its deliveries cannot be sent). */
export const EVENT_RETENTION_MS = 7 * DAY_MS;
/** How long the delivery log keeps a line. */
export const DELIVERY_RETENTION_MS = 30 * DAY_MS;

const isConditionFailure = (error: unknown) => error instanceof ConditionalCheckFailedException;
const ignoreConditionFailure = (error: unknown) => {
  if (!isConditionFailure(error)) throw error;
};

const EndpointItem = /* @__PURE__ */ onFirstUse(() => z.object({
  id: z.string(),
  url: z.string(),
  events: EventSelection,
  description: z.optional(z.string()),
  createdAt: z.string(),
  disabledAt: z.optional(z.string()),
  failingSince: z.optional(z.string()),
  /** The signing secrets, sealed (AES-256-GCM) under a key derived from the stage's signing secret, bound to the endpoint. */
  secrets: z.string(),
}));

/**
 * The newsroom's webhook endpoints. Their signing secrets are sealed under a key derived from the stage's signing
 * secret (as link tokens are), bound to the endpoint's id: the table, a backup or an export never holds them in
 * clear, and a sealed secret copied onto another endpoint does not open.
 */
export class DynamoWebhookEndpoints implements WebhookEndpoints {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly sealKey: Buffer,
  ) {}

  private seal(id: string, secrets: EndpointSecrets) {
    return sealToken(this.sealKey, `webhook-secret:${id}`, secrets);
  }

  private toEndpoint(raw: unknown): WebhookEndpoint {
    const { secrets, ...item } = parse(EndpointItem, raw);
    return parse(WebhookEndpoint, { ...item, ...openToken(this.sealKey, `webhook-secret:${item.id}`, secrets, EndpointSecrets) });
  }

  async create(endpoint: WebhookEndpoint) {
    const { secret, previousSecret, previousSecretExpiresAt, ...rest } = endpoint;
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...webhookKeys.endpoint(endpoint.id),
          gsi1pk: 'WEBHOOKS',
          gsi1sk: `${endpoint.createdAt}#${endpoint.id}`,
          ...rest,
          secrets: this.seal(endpoint.id, { secret, previousSecret, previousSecretExpiresAt }),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: webhookKeys.endpoint(id), ConsistentRead: true }));
    return Item ? this.toEndpoint(Item) : undefined;
  }

  async list() {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': 'WEBHOOKS' },
    });
    return items.map((item) => this.toEndpoint(item));
  }

  async remove(id: string) {
    const { Attributes } = await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: webhookKeys.endpoint(id), ReturnValues: 'ALL_OLD' }));
    return Attributes !== undefined;
  }

  async saveSecrets(id: string, secrets: EndpointSecrets) {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: webhookKeys.endpoint(id),
        UpdateExpression: 'SET secrets = :s',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':s': this.seal(id, secrets) },
      }),
    );
  }

  async markFailing(id: string, since: string) {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: webhookKeys.endpoint(id),
          UpdateExpression: 'SET failingSince = if_not_exists(failingSince, :since)',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':since': since },
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async markSucceeded(id: string) {
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: webhookKeys.endpoint(id),
          UpdateExpression: 'REMOVE failingSince',
          ConditionExpression: 'attribute_exists(failingSince)',
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async disable(id: string, at: string) {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: webhookKeys.endpoint(id),
          UpdateExpression: 'SET disabledAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(disabledAt)',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async enable(id: string) {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: webhookKeys.endpoint(id),
          UpdateExpression: 'REMOVE disabledAt, failingSince',
          ConditionExpression: 'attribute_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

const EventItem = /* @__PURE__ */ onFirstUse(() => z.object({ event: z.unknown(), createdAt: z.string() }));
const MonthlyItem = /* @__PURE__ */ onFirstUse(() => z.object({ data: DonationEventData, by: z.string() }));
const SubjectItem = /* @__PURE__ */ onFirstUse(() => z.object({ pk: z.string(), sk: z.string() }));

/** The kept events (and the monthly gifts' starts), filed under their person's keyed hash for an erase's scrub. */
export class DynamoOutboundEvents implements OutboundEvents {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private subjectIndex(subject: string | undefined, createdAt: string, id: string) {
    return subject ? { gsi1pk: `WHSUBJECT#${subject}`, gsi1sk: `${createdAt}#${id}` } : {};
  }

  async put(event: WebhookEvent, subject: string | undefined, now: Date) {
    const createdAt = now.toISOString();
    await this.client
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...webhookKeys.event(event.id),
            event,
            createdAt,
            expiresAt: epochSeconds(new Date(now.getTime() + EVENT_RETENTION_MS)),
            ...this.subjectIndex(subject, createdAt, event.id),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async get(id: string, now: Date) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: webhookKeys.event(id), ConsistentRead: true }));
    if (!Item) return undefined;
    const item = parse(EventItem, Item);
    // Expiry is checked here, not left to the table's time to live (which deletes within days, not on time).
    if (Date.parse(item.createdAt) + EVENT_RETENTION_MS <= now.getTime()) return undefined;
    const event = safeParse(WebhookEvent, item.event);
    return event.success ? event.data : undefined;
  }

  async scrub(subject: string) {
    let scrubbed = 0;
    const pages = queryPages(this.client, {
      TableName: this.tableName,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': `WHSUBJECT#${subject}` },
      ProjectionExpression: 'pk, sk',
    });
    for await (const page of pages) {
      for (const raw of page) {
        const key = parse(SubjectItem, raw);
        if (key.pk.startsWith('WHMONTHLY#')) {
          // The gift stays (its cancellation is still told), without the person.
          await this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: key,
              UpdateExpression: 'REMOVE #data.email, #data.#name, gsi1pk, gsi1sk',
              ExpressionAttributeNames: { '#data': 'data', '#name': 'name' },
            }),
          );
        } else {
          await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: key }));
        }
        scrubbed += 1;
      }
    }
    return scrubbed;
  }

  async isErased(subject: string) {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: webhookKeys.suppression(subject), ConsistentRead: true, ProjectionExpression: 'reason' }),
    );
    return Item?.reason === 'erased';
  }

  async startMonthly(subscription: string, data: DonationEventData, subject: string | undefined, options: { by: string; now: Date }) {
    const createdAt = options.now.toISOString();
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...webhookKeys.monthly(subscription), data, by: options.by, createdAt, ...this.subjectIndex(subject, createdAt, subscription) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: webhookKeys.monthly(subscription), ConsistentRead: true }));
      return safeParse(MonthlyItem, Item).data?.by === options.by;
    }
  }

  async monthly(subscription: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: webhookKeys.monthly(subscription), ConsistentRead: true }));
    const parsed = safeParse(MonthlyItem, Item);
    return parsed.success ? parsed.data.data : undefined;
  }
}

const DeliveryItem = /* @__PURE__ */ onFirstUse(() => z.extend(Delivery, { leaseUntil: z.optional(z.string()) }));

/** The delivery log: one item per event and endpoint, listed per endpoint through the overloaded index. */
export class DynamoDeliveryLog implements DeliveryLog {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(delivery: Delivery) {
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...webhookKeys.delivery(delivery.id),
            ...delivery,
            gsi1pk: indexPartition(`WHDELIVERIES#${delivery.webhookId}`, delivery.id),
            gsi1sk: `${delivery.createdAt}#${delivery.id}`,
            expiresAt: epochSeconds(new Date(Date.parse(delivery.createdAt) + DELIVERY_RETENTION_MS)),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async get(id: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: webhookKeys.delivery(id), ConsistentRead: true }));
    return Item ? parse(Delivery, Item) : undefined;
  }

  async claim(id: string, expected: { attempts: number; generation: number }, now: Date, leaseMs: number) {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: webhookKeys.delivery(id),
          UpdateExpression: 'SET leaseUntil = :until',
          ConditionExpression: '#status = :pending AND attempts = :attempts AND generation = :generation AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':until': new Date(now.getTime() + leaseMs).toISOString(),
            ':pending': 'pending',
            ':attempts': expected.attempts,
            ':generation': expected.generation,
            ':now': now.toISOString(),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async record(id: string, generation: number, update: DeliveryUpdate) {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':generation': generation };
    const set: string[] = [];
    const remove = ['leaseUntil'];
    for (const field of ['status', 'attempts', 'at', 'nextAttemptAt', 'responseStatus', 'latencyMs', 'error'] as const) {
      const value = update[field];
      names[`#${field}`] = field;
      if (value === undefined) remove.push(`#${field}`);
      else {
        set.push(`#${field} = :${field}`);
        values[`:${field}`] = value;
      }
    }
    await this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: webhookKeys.delivery(id),
          UpdateExpression: `SET ${set.join(', ')} REMOVE ${remove.join(', ')}`,
          // A manual retry or a replay started a new generation meanwhile: this attempt's outcome is no longer its.
          ConditionExpression: 'generation = :generation',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      )
      .catch(ignoreConditionFailure);
  }

  async rearm(id: string, now: Date) {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: webhookKeys.delivery(id),
          UpdateExpression: 'SET #status = :pending, attempts = :zero, generation = generation + :one, #at = :now REMOVE nextAttemptAt, leaseUntil, #error',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status', '#at': 'at', '#error': 'error' },
          ExpressionAttributeValues: { ':pending': 'pending', ':zero': 0, ':one': 1, ':now': now.toISOString() },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parse(Delivery, Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  async list(webhookId: string, options: { limit: number; since?: string }) {
    // Each partition holds its newest first: reading `limit` of each is enough for the newest `limit` overall.
    const items = await queryPartitions(
      this.client,
      `WHDELIVERIES#${webhookId}`,
      {
        TableName: this.tableName,
        IndexName: 'gsi1',
        KeyConditionExpression: options.since ? 'gsi1pk = :partition AND gsi1sk >= :since' : 'gsi1pk = :partition',
        ExpressionAttributeValues: options.since ? { ':since': options.since } : {},
        ScanIndexForward: false,
        Limit: Math.min(options.limit, 1000),
      },
      { stopAfter: options.limit },
    );
    return items
      .map((item) => parse(DeliveryItem, item))
      .sort((a, b) => (a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt)))
      .slice(0, options.limit)
      .map(({ leaseUntil: _l, ...delivery }) => delivery);
  }
}
