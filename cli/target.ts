import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudFormationClient, CloudFormationServiceException, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { startStrictDynamoLocal } from '../local/stand-ins/dynamodb-local.js';
import { createTables, LOCAL_TABLES } from '../local/server/tables.js';

/** Where the admin CLI works: the dev server's data, or a deployed stage. */
export interface Target {
  description: string;
  dynamo: DynamoDBDocumentClient;
  /** The tables; `audit` is absent on a stage deployed before the audit log (the CLI then records nothing there). */
  tables: { subscribers: string; donations: string; audit?: string | undefined };
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
  tables: z.object({ subscribers: z.string(), donations: z.string(), audit: z.string().optional() }),
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

/** A stage the CLI cannot reach: what is missing, and how to fix it (printed as two lines). */
export class TargetError extends Error {
  override name = 'TargetError';
  constructor(
    problem: string,
    readonly fix: string,
    options?: ErrorOptions,
  ) {
    super(`${problem}\n  how to fix: ${fix}`, options);
  }
}

const STAGES_DIR = fileURLToPath(new URL('../infra/stages/', import.meta.url));

/** The stages configured in this checkout (infra/stages/*.json). */
const knownStages = () => {
  try {
    return readdirSync(STAGES_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
  } catch {
    return [];
  }
};

/**
 * The region a stage was deployed to, from its file in infra/stages/ (`cdk deploy` puts the stacks there; the
 * stage schema's default is us-east-1). Undefined without a readable file: the SDK's own chain then decides.
 */
const stageRegion = (stage: string): string | undefined => {
  const file = join(STAGES_DIR, `${stage}.json`);
  if (!existsSync(file)) return undefined;
  try {
    const { region } = JSON.parse(readFileSync(file, 'utf8')) as { region?: unknown };
    return typeof region === 'string' && region !== '' ? region : 'us-east-1';
  } catch {
    return undefined;
  }
};

/**
 * Why a call to CloudFormation failed, in the terms of what to do: no region, no credentials, credentials AWS
 * refused, or a stack that is not there. The region and credentials are asked of the client itself (its providers
 * are what the call used), so the answer holds whichever way the SDK was configured.
 */
const diagnose = async (client: CloudFormationClient, stage: string, stack: string, error: unknown): Promise<TargetError> => {
  const region = await client.config.region().catch(() => undefined);
  if (!region) {
    return new TargetError(
      `no AWS region for stage ${stage}`,
      `pass --region (e.g. --region eu-west-1), set AWS_REGION, or give the stage a "region" in infra/stages/${stage}.json`,
      { cause: error },
    );
  }
  const credentials = await client.config.credentials().then(
    () => undefined,
    (problem: unknown) => problem,
  );
  if (credentials !== undefined) {
    return new TargetError(
      `no AWS credentials to reach stage ${stage} (${credentials instanceof Error ? credentials.message : String(credentials)})`,
      'sign in with `aws sso login --profile NAME` and set AWS_PROFILE=NAME, run `aws configure`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
      { cause: error },
    );
  }
  if (error instanceof CloudFormationServiceException) {
    if (error.$metadata.httpStatusCode === 403 || /token|signature|credential/i.test(error.message)) {
      return new TargetError(
        `AWS refused your credentials in ${region} (${error.message})`,
        'refresh them (`aws sso login`), or use a profile of the account the stage is deployed in (AWS_PROFILE); the CLI needs cloudformation:DescribeStacks there',
        { cause: error },
      );
    }
    if (/does not exist/i.test(error.message)) {
      const stages = knownStages();
      return new TargetError(
        `stack ${stack} is not deployed in ${region}, in the account of your credentials`,
        `check --stage${stages.length ? ` (stages in infra/stages/: ${stages.join(', ')})` : ''} and --region, or deploy it: npx cdk deploy -c stage=${stage} --all`,
        { cause: error },
      );
    }
  }
  return new TargetError(
    `could not read stack ${stack} in ${region}: ${error instanceof Error ? error.message : String(error)}`,
    'check your network and the region (--region), then try again',
    { cause: error },
  );
};

/**
 * A deployed stage: table names and the API URL from the stacks' outputs, with the caller's AWS credentials. The
 * region: `region` when given, else the stage file's, else the SDK's (AWS_REGION, the profile). Throws TargetError.
 */
export const stageTarget = async (stage: string, region: string | undefined): Promise<Target> => {
  const cloudFormation = new CloudFormationClient({ region: region ?? stageRegion(stage) });
  const outputs = async (stack: string) => {
    try {
      const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stack }));
      return Object.fromEntries((Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
    } catch (error) {
      throw await diagnose(cloudFormation, stage, stack, error);
    }
  };
  const stacks = { data: `Appeal-${stage}-Data`, api: `Appeal-${stage}-Api` };
  try {
    const data = await outputs(stacks.data);
    const api = await outputs(stacks.api);
    const subscribers = data.SubscribersTableName;
    const donations = data.DonationsTableName;
    if (!subscribers || !donations) {
      throw new TargetError(`stack ${stacks.data} has no table outputs`, `deploy the stage again from this checkout: npx cdk deploy -c stage=${stage} --all`);
    }
    const resolvedRegion = await cloudFormation.config.region();
    const raw = new DynamoDBClient({ region: resolvedRegion });
    return {
      description: `stage ${stage}`,
      dynamo: documentClient(raw),
      tables: { subscribers, donations, audit: data.AuditTableName },
      apiUrl: api.PublicApiUrl,
      stage: { name: stage, region: resolvedRegion, stacks: [stacks.data, stacks.api], outputs: { ...data, ...api } },
      close: async () => raw.destroy(),
    };
  } finally {
    cloudFormation.destroy();
  }
};
