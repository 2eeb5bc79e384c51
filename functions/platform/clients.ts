import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { HandlerExecutionContext, InitializeHandler, InitializeHandlerArguments, MetadataBearer } from '@smithy/types';

/** The AWS services the functions call, by the name a client's endpoint is given under. */
export type AwsService = 'dynamodb' | 'sqs' | 'sesv2' | 's3' | 'lambda' | 'secretsManager';

/**
 * How the composition roots build their SDK clients. In Lambda only the region is set (the rest is the SDK's
 * defaults: the role's credentials, the service's public endpoint); the dev server sets an endpoint per service
 * (its local stand-ins), the stand-ins' credentials and path-style S3 (s3rver has no virtual-host names).
 */
export interface ClientOptions {
  region: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  endpoints?: Partial<Record<AwsService, string>>;
  s3ForcePathStyle?: boolean;
  /**
   * Tests only (tests/infra/least-privilege.test.ts, through the dev server): told of every call a client makes,
   * before it is signed or sent. Never set in Lambda, where the clients are built without it and unchanged.
   */
  recorder?: AwsCallRecorder;
}

/** One AWS API call as a function's code makes it: the service's client, the SDK command, the command's input. */
export interface AwsCall {
  service: AwsService;
  /** The SDK command's name, e.g. `PutItemCommand` (a DocumentClient command runs as its low-level command). */
  command: string;
  input: Readonly<Record<string, unknown>>;
}

export type AwsCallRecorder = (call: AwsCall) => void;

/** The constructor configuration of one service's client. */
export const clientConfig = (options: ClientOptions, service: AwsService) => ({
  region: options.region,
  ...(options.credentials ? { credentials: options.credentials } : {}),
  ...(options.endpoints?.[service] ? { endpoint: options.endpoints[service] } : {}),
});

interface RecordableClient {
  middlewareStack: {
    add(
      middleware: (next: InitializeHandler<object, MetadataBearer>, context: HandlerExecutionContext) => InitializeHandler<object, MetadataBearer>,
      options: { step: 'initialize'; name: string; override: boolean },
    ): void;
  };
}

/**
 * The client itself; with a recorder in the options, a middleware at the first step ('initialize': once per
 * call, before retries, also for presigned URLs and lib-storage's uploads) tells it of every command first.
 */
export const recorded = <C extends RecordableClient>(client: C, options: ClientOptions, service: AwsService): C => {
  const { recorder } = options;
  if (!recorder) return client;
  client.middlewareStack.add(
    (next, context) => async (args: InitializeHandlerArguments<object>) => {
      recorder({ service, command: context.commandName ?? 'unknown', input: args.input as Record<string, unknown> });
      return next(args);
    },
    { step: 'initialize', name: 'appealAwsCallRecorder', override: true },
  );
  return client;
};

const documentClients = new WeakMap<ClientOptions, DynamoDBDocumentClient>();

/**
 * The DynamoDB document client for these options: one per function (per options object), whatever the number of
 * stores that ask for it, since each client built costs the cold start its own configuration and middleware.
 */
export const documentClient = (options: ClientOptions) => {
  let client = documentClients.get(options);
  if (!client) {
    client = DynamoDBDocumentClient.from(recorded(new DynamoDBClient(clientConfig(options, 'dynamodb')), options, 'dynamodb'), {
      marshallOptions: { removeUndefinedValues: true },
    });
    documentClients.set(options, client);
  }
  return client;
};

export const systemClock = { now: () => new Date() };
