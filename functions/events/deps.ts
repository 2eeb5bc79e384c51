import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoExperimentReader } from '../adapters/dynamo-experiment-reader.js';
import { SqsEventQueue } from '../adapters/sqs-event-queue.js';
import { cachedExperiments, type EventDeps, InstanceRateLimiter } from '../core/experiments/events.js';
import { type ClientOptions, clientConfig, documentClient, recorded, systemClock } from '../platform/clients.js';
import type { EventsConfig } from './config.js';

/** The events function's dependencies: DynamoDB (campaigns and variants, read) and the events queue. No secret. */
export const buildEvents = (config: EventsConfig, clients: ClientOptions): { deps: EventDeps } => {
  const store = new DynamoExperimentReader(documentClient(clients), config.DONATIONS_TABLE_NAME);
  return {
    deps: {
      clock: systemClock,
      experiments: cachedExperiments((campaign) => store.get(campaign), systemClock, config.EXPERIMENT_CACHE_SECONDS),
      queue: new SqsEventQueue(recorded(new SQSClient(clientConfig(clients, 'sqs')), clients, 'sqs'), config.EVENTS_QUEUE_URL),
      limiter: new InstanceRateLimiter(config.EVENTS_CLIENT_LIMIT_PER_MINUTE),
    },
  };
};
