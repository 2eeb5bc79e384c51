import { DynamoSuppressions } from '../../adapters/dynamo-suppressions.js';
import { DynamoSubscriberCounts, DynamoSubscriberRepository } from '../../adapters/dynamo-subscriber-repository.js';
import type { documentClient } from '../clients.js';

export { subscriptionSettings } from './subscription-settings.js';

type DocumentClient = ReturnType<typeof documentClient>;

/** The subscribers (every write also keeps the counts, in the same transaction) and the suppression markers. */
export const subscriberStores = (dynamo: DocumentClient, table: string, shards: number) => ({
  subscribers: new DynamoSubscriberRepository(dynamo, table, shards),
  suppressions: new DynamoSuppressions(dynamo, table),
});

/** The subscriber counts, read by summing their shards. */
export const subscriberCounts = (dynamo: DocumentClient, table: string) => new DynamoSubscriberCounts(dynamo, table);
