import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { TABLES, type TableDesign, type TableName } from '../../infra/tables.js';

const createTable = async (client: DynamoDBClient, name: string, design: TableDesign) => {
  const attributes = new Set([design.partitionKey, design.sortKey, ...design.indexes.flatMap((i) => [i.partitionKey, i.sortKey])]);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes].map((AttributeName) => ({ AttributeName, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: design.partitionKey, KeyType: 'HASH' },
          { AttributeName: design.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: design.indexes.length
          ? design.indexes.map((index) => ({
              IndexName: index.name,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' },
                { AttributeName: index.sortKey, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            }))
          : undefined,
        ...(design.stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: design.stream } } : {}),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error; // kept from an earlier start
  }
};

/** CreateTable answers before the table is ACTIVE: wait for it, as CloudFormation does. */
const waitUntilActive = async (client: DynamoDBClient, name: string) => {
  for (let i = 0; i < 200; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE' && (Table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE')) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`table ${name} did not become active`);
};

/** The tables' names on the dev server (AWS generates its own; the functions get them from the environment). */
export const LOCAL_TABLES: Record<TableName, string> = { subscribers: 'appeal-subscribers', donations: 'appeal-donations', audit: 'appeal-audit' };

/** Turns on expiry by the design's TTL attribute, as the CDK stack does (DynamoDB Local deletes within seconds). */
const enableTimeToLive = async (client: DynamoDBClient, name: string, design: TableDesign) => {
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
  if (TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED') return;
  await client.send(
    new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: design.timeToLive, Enabled: true } }),
  );
};

/** Turns on the change stream of a table kept from before it had one, as the CDK stack's update does. */
const enableStream = async (client: DynamoDBClient, name: string, design: TableDesign) => {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
  if (!design.stream || Table?.StreamSpecification?.StreamEnabled) return;
  await client.send(new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: design.stream } }));
  await waitUntilActive(client, name);
};

/**
 * Creates the tables of the design that `names` names (DynamoDB Local has no CloudFormation); existing ones are
 * kept. A benchmark that needs only some of them names only those.
 */
export const createTables = async (client: DynamoDBClient, names: Partial<Record<TableName, string>>) => {
  await Promise.all(
    (Object.entries(TABLES) as [TableName, TableDesign][]).map(async ([table, design]) => {
      const name = names[table];
      if (name === undefined) return;
      await createTable(client, name, design);
      await waitUntilActive(client, name);
      await enableTimeToLive(client, name, design);
      await enableStream(client, name, design);
    }),
  );
};
