import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoEventCounters } from '../adapters/dynamo-event-counters.js';
import { DynamoVariantGiftCounters } from '../adapters/dynamo-experiment-results.js';
import { DynamoExperimentStore } from '../adapters/dynamo-experiments.js';

/** An experiment's stores, as the admin API's results read them: loaded with the first experiment page (sections.ts). */
export const experimentStores = (dynamo: DynamoDBDocumentClient, table: string, eventShards: number) => ({
  experiments: new DynamoExperimentStore(dynamo, table),
  events: new DynamoEventCounters(dynamo, table, eventShards),
  gifts: new DynamoVariantGiftCounters(dynamo, table),
});
