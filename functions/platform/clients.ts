import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

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
}

/** The constructor configuration of one service's client. */
export const clientConfig = (options: ClientOptions, service: AwsService) => ({
  region: options.region,
  ...(options.credentials ? { credentials: options.credentials } : {}),
  ...(options.endpoints?.[service] ? { endpoint: options.endpoints[service] } : {}),
});

export const documentClient = (options: ClientOptions) =>
  DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig(options, 'dynamodb')), {
    marshallOptions: { removeUndefinedValues: true },
  });

export const systemClock = { now: () => new Date() };
