import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Editor, Passkey, type Role, Session } from '../core/console/model.js';
import type { Editors, NonceLedger, Passkeys, Sessions } from '../core/console/ports.js';
import { parse } from '../core/shared/schema.js';
import { epochSeconds } from './dynamo-keys.js';
import { queryIndex } from './dynamo-pages.js';

// The console's items in the subscribers table (see the data model): editors, sessions, used nonces, passkeys.
// Each kind has its own partition key prefix, so each function's grant names exactly the kinds it touches.
const consoleKeys = {
  editor: (email: string) => ({ pk: `EDITOR#${email}`, sk: 'EDITOR' }),
  session: (idHash: string) => ({ pk: `SESSION#${idHash}`, sk: 'SESSION' }),
  nonce: (purpose: string, nonce: string) => ({ pk: `NONCE#${purpose}#${nonce}`, sk: 'NONCE' }),
  passkey: (id: string) => ({ pk: `PASSKEY#${id}`, sk: 'PASSKEY' }),
};

/** Index partitions: every editor; one editor's sessions; one editor's passkeys. */
const EDITORS = 'EDITORS';
const sessionsOf = (email: string) => `SESSIONS#${email}`;
const passkeysOf = (email: string) => `PASSKEYS#${email}`;

const failedCondition = (error: unknown) => {
  if (error instanceof ConditionalCheckFailedException) return false;
  throw error;
};

export class DynamoEditors implements Editors {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(email: string) {
    // Strongly consistent: a removed editor or one signed out everywhere must stop at once.
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: consoleKeys.editor(email), ConsistentRead: true }));
    return Item ? parse(Editor, Item) : undefined;
  }

  async list() {
    return (await queryIndex(this.client, this.tableName, EDITORS)).map((item) => parse(Editor, item)).sort((a, b) => a.email.localeCompare(b.email));
  }

  async put(email: string, role: Role, at: Date, lang?: string) {
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: consoleKeys.editor(email),
        UpdateExpression: `SET email = :email, #role = :role, createdAt = if_not_exists(createdAt, :at), generation = if_not_exists(generation, :zero), gsi1pk = :index, gsi1sk = :email${lang ? ', lang = :lang' : ''}`,
        ExpressionAttributeNames: { '#role': 'role' },
        ExpressionAttributeValues: { ':email': email, ':role': role, ':at': at.toISOString(), ':zero': 0, ':index': EDITORS, ...(lang ? { ':lang': lang } : {}) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return parse(Editor, Attributes);
  }

  async remove(email: string) {
    return this.client
      .send(new DeleteCommand({ TableName: this.tableName, Key: consoleKeys.editor(email), ConditionExpression: 'attribute_exists(pk)' }))
      .then(() => true, failedCondition);
  }

  async endSessions(email: string) {
    return this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: consoleKeys.editor(email),
          UpdateExpression: 'ADD generation :one',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':one': 1 },
        }),
      )
      .then(() => true, failedCondition);
  }
}

export class DynamoSessions implements Sessions {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(session: Session) {
    const { idHash, ...kept } = session;
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        // `expiresAt` is the table's time to live (epoch seconds), which deletes the item some time after the session's
        // end (`endsAt`); currentEditor refuses it from that moment.
        Item: { ...consoleKeys.session(idHash), ...kept, expiresAt: epochSeconds(new Date(session.expiresAt)) + 60, endsAt: session.expiresAt, gsi1pk: sessionsOf(session.email), gsi1sk: session.createdAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  private toSession(item: Record<string, unknown>): Session {
    const pk = String(item.pk);
    return parse(Session, { ...item, idHash: pk.slice('SESSION#'.length), expiresAt: item.endsAt });
  }

  async get(idHash: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: consoleKeys.session(idHash), ConsistentRead: true }));
    return Item ? this.toSession(Item) : undefined;
  }

  async delete(idHash: string) {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: consoleKeys.session(idHash) }));
  }

  async listFor(email: string) {
    const items = await queryIndex(this.client, this.tableName, sessionsOf(email));
    return items.map((item) => this.toSession(item)).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
}

export class DynamoNonceLedger implements NonceLedger {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async use(purpose: string, nonce: string, until: Date) {
    return this.client
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...consoleKeys.nonce(purpose, nonce), expiresAt: epochSeconds(until) },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      )
      .then(() => true, failedCondition);
  }
}

export class DynamoPasskeys implements Passkeys {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(passkey: Passkey) {
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...consoleKeys.passkey(passkey.id), ...passkey, gsi1pk: passkeysOf(passkey.email), gsi1sk: passkey.createdAt },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async get(id: string) {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: consoleKeys.passkey(id), ConsistentRead: true }));
    return Item ? parse(Passkey, Item) : undefined;
  }

  async listFor(email: string) {
    return (await queryIndex(this.client, this.tableName, passkeysOf(email))).map((item) => parse(Passkey, item));
  }

  async recordUse(id: string, from: number, to: number, at: Date) {
    return this.client
      .send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: consoleKeys.passkey(id),
          UpdateExpression: 'SET #counter = :to, lastUsedAt = :at',
          ConditionExpression: 'attribute_exists(pk) AND #counter = :from',
          ExpressionAttributeNames: { '#counter': 'counter' },
          ExpressionAttributeValues: { ':from': from, ':to': to, ':at': at.toISOString() },
        }),
      )
      .then(() => true, failedCondition);
  }

  async remove(id: string, email: string) {
    return this.client
      .send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: consoleKeys.passkey(id),
          ConditionExpression: 'email = :email',
          ExpressionAttributeValues: { ':email': email },
        }),
      )
      .then(() => true, failedCondition);
  }
}
