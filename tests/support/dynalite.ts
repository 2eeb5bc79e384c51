import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import { createTables } from '../../local/tables.js';

export const TABLE_NAMES = { subscribers: 'test-subscribers', donations: 'test-donations' };

/** A real (in-memory) dynalite with the project's tables, on a free port; reached through the real SDK. */
export const startDynalite = async () => {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const raw = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await createTables(raw, TABLE_NAMES);
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return {
    client,
    raw,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
