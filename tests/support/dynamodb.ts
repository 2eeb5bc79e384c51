import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { inject } from 'vitest';
import type { TableName } from '../../infra/tables.js';
import { createTables } from '../../local/server/tables.js';

/** Table names of their own for one test file (or one dev server) in the run's shared DynamoDB Local. */
export const uniqueTableNames = (): Record<TableName, string> => {
  const prefix = `t-${randomBytes(5).toString('hex')}`;
  return { subscribers: `${prefix}-subscribers`, donations: `${prefix}-donations`, audit: `${prefix}-audit` };
};

export const dynamodbEndpoint = () => inject('dynamodbEndpoint');
/** The run's DynamoDB Local itself, without the conflict proxy. */
export const dynamodbEngineEndpoint = () => inject('dynamodbEngineEndpoint');

/** The project's tables, fresh, in the run's DynamoDB Local (AWS's own engine), reached through the real SDK. */
export const startTables = async () => {
  const endpoint = dynamodbEndpoint();
  const raw = new DynamoDBClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const tables = uniqueTableNames();
  await createTables(raw, tables);
  const client = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return { client, raw, endpoint, tables, close: async () => raw.destroy() };
};
