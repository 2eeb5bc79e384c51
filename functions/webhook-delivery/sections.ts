/**
 * What the delivery worker loads on first use, in one module: everything about the connectors (their store, the
 * tools' clients, the erased addresses and the donor ledger a delivery to a tool reads, the subscribers it marks),
 * the backfills' slices and their readers, and the scheduled pull of listmonk's refusals. A plain signed webhook
 * delivery, what most invocations make, needs none of it. One dynamic import, not one per module: each chunk is one
 * more file a first use reads (functions/console/sections.ts). The connectors' attempt itself is loaded by the
 * worker (core/events/worker.ts).
 */
export { DynamoConfirmedReaders } from '../adapters/dynamo-confirmed-readers.js';
export { DynamoSubscriberRepository } from '../adapters/dynamo-subscriber-repository.js';
export { SqsBackfillQueue } from '../adapters/sqs-backfill-queue.js';
export { runBackfillSlice } from '../core/connectors/backfill.js';
export { pullRefusals } from '../core/connectors/pull.js';
export { readDonorStatus } from '../core/connectors/sync.js';
export { connectorClients, connectorStore, donorLedger, erasedAddresses } from '../platform/wiring/connectors.js';
