import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { startStrictDynamoLocal } from '../local/dynamodb-local.js';
import { createTables, LOCAL_TABLES } from '../local/tables.js';

/** Where the admin CLI works: the dev server's data, or a deployed stage. */
export interface Target {
  description: string;
  dynamo: DynamoDBDocumentClient;
  tables: { subscribers: string; donations: string };
  apiUrl: string | undefined;
  /** A deployed stage: its name, region and both stacks' outputs (the smoke test reads the Stripe secret's ARN). */
  stage?: { name: string; region: string | undefined; stacks: string[]; outputs: Record<string, string> };
  /** The dev server's data folder (its keys: the smoke test signs webhooks with the server's secret). */
  dataDir?: string;
  close(): Promise<void>;
}

const Endpoints = z.object({
  url: z.string(),
  pid: z.number(),
  dynamodb: z.string(),
  tables: z.object({ subscribers: z.string(), donations: z.string() }),
});

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const documentClient = (client: DynamoDBClient) =>
  DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });

/**
 * The dev server's data. While the server runs, the CLI goes through the server's own DynamoDB endpoint (written
 * to endpoints.json), so that one engine owns the data folder; otherwise it starts DynamoDB Local on the folder.
 */
export const localTarget = async (dataDir: string): Promise<Target> => {
  const dir = resolve(dataDir);
  const file = join(dir, 'endpoints.json');
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  if (existsSync(file)) {
    const endpoints = Endpoints.parse(JSON.parse(readFileSync(file, 'utf8')));
    if (isAlive(endpoints.pid)) {
      const raw = new DynamoDBClient({ region: 'us-east-1', endpoint: endpoints.dynamodb, credentials });
      return {
        description: `the running dev server (${endpoints.url})`,
        dynamo: documentClient(raw),
        tables: endpoints.tables,
        apiUrl: endpoints.url,
        dataDir: dir,
        close: async () => raw.destroy(),
      };
    }
  }
  const engine = await startStrictDynamoLocal({ dbPath: join(dir, 'dynamodb'), quickStart: true });
  const raw = new DynamoDBClient({ region: 'us-east-1', endpoint: engine.endpoint, credentials });
  await createTables(raw, LOCAL_TABLES);
  return {
    description: `the dev server's data in ${dir} (server not running)`,
    dynamo: documentClient(raw),
    tables: LOCAL_TABLES,
    apiUrl: undefined,
    dataDir: dir,
    close: async () => {
      raw.destroy();
      await engine.close();
    },
  };
};

/** A deployed stage: table names and the API URL from the stacks' outputs, with the caller's AWS credentials. */
export const stageTarget = async (stage: string, region: string | undefined): Promise<Target> => {
  const cloudFormation = new CloudFormationClient({ region });
  const outputs = async (stack: string) => {
    const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }));
    return Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  };
  const stacks = { data: `Appeal-${stage}-Data`, api: `Appeal-${stage}-Api` };
  const [data, api] = await Promise.all([outputs(stacks.data), outputs(stacks.api)]);
  const subscribers = data.SubscribersTableName;
  const donations = data.DonationsTableName;
  if (!subscribers || !donations) throw new Error(`stack Appeal-${stage}-Data has no table outputs`);
  const raw = new DynamoDBClient({ region });
  return {
    description: `stage ${stage}`,
    dynamo: documentClient(raw),
    tables: { subscribers, donations },
    apiUrl: api.PublicApiUrl,
    stage: { name: stage, region, stacks: [stacks.data, stacks.api], outputs: { ...data, ...api } },
    close: async () => raw.destroy(),
  };
};
