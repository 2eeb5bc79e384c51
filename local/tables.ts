import { CreateTableCommand, DescribeTableCommand, type DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { TABLES, type TableDesign, type TableName } from '../infra/tables.js';

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
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error; // kept from an earlier start
  }
};

/** dynalite answers CreateTable before the table is ACTIVE (even with createTableMs 0): wait for it. */
const waitUntilActive = async (client: DynamoDBClient, name: string) => {
  for (let i = 0; i < 200; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    if (Table?.TableStatus === 'ACTIVE' && (Table.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE')) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`table ${name} did not become active`);
};

/** The tables' names on the dev server (AWS generates its own; the functions get them from the environment). */
export const LOCAL_TABLES: Record<TableName, string> = { subscribers: 'appeal-subscribers', donations: 'appeal-donations' };

/** Creates every table of the design (dynalite has no CloudFormation); existing ones are kept. */
export const createTables = async (client: DynamoDBClient, names: Record<TableName, string>) => {
  for (const [table, design] of Object.entries(TABLES) as [TableName, TableDesign][]) {
    await createTable(client, names[table], design);
    await waitUntilActive(client, names[table]);
  }
};
