import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients for the composition roots. Endpoints come from the SDK's own configuration
 * (`AWS_ENDPOINT_URL_<SERVICE>`), which is how the dev server and the tests reach the local stand-ins.
 */
export const documentClient = (region: string) =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ region }), {
    marshallOptions: { removeUndefinedValues: true },
  });

export const systemClock = { now: () => new Date() };
