import { DynamoEventCounters } from '../adapters/dynamo-event-counters.js';
import type { EventCounters } from '../core/experiments/ports.js';
import { type ClientOptions, documentClient } from '../platform/clients.js';
import type { EventCounterConfig } from './config.js';

/** The event counter's dependencies: the counters in DynamoDB. */
export const buildEventCounter = (config: EventCounterConfig, clients: ClientOptions): { deps: { counters: EventCounters } } => ({
  deps: { counters: new DynamoEventCounters(documentClient(clients), config.DONATIONS_TABLE_NAME, config.EVENT_COUNTER_SHARDS) },
});
