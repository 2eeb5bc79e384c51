import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoAdminTokens } from '../../../functions/adapters/dynamo-admin.js';

describe('admin tokens on DynamoDB', () => {
  it('look a token up with a strongly consistent read, so a revoked token stops at once', async () => {
    // DynamoDB Local is always consistent, so only the request can show it: record what the adapter asks for.
    const sent: { name: string; input: Record<string, unknown> }[] = [];
    const client = {
      send: async (command: { constructor: { name: string }; input: Record<string, unknown> }) => {
        sent.push({ name: command.constructor.name, input: command.input });
        return { Item: undefined };
      },
    } as unknown as DynamoDBDocumentClient;
    expect(await new DynamoAdminTokens(client, 'table').findByHash('a'.repeat(64))).toBeUndefined();
    expect(sent).toEqual([{ name: 'GetCommand', input: expect.objectContaining({ ConsistentRead: true }) }]);
  });
});
