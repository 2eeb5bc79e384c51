import { isConnectorId } from '../connectors/id.js';
import type { ConnectorSyncDeps } from '../connectors/sync.js';
import type { OutboundHttp } from '../shared/outbound-http.js';
import type { Clock } from '../shared/ports.js';
import { deliver } from './delivery.js';
import type { DeliveryJob, DeliveryLog, DeliveryQueue, DeliveryUpdate, OutboundEvents, WebhookEndpoints } from './ports.js';
import { DELIVERY_TIMEOUT_MS, delayUntil, deliveryOutcome } from './schedule.js';

/** How long an attempt holds its delivery: the request's timeout and a margin for the writes around it. */
export const LEASE_MS = DELIVERY_TIMEOUT_MS + 20_000;

export interface WorkerDeps {
  clock: Clock;
  /** In [0, 1): the retries' jitter. */
  random: () => number;
  endpoints: WebhookEndpoints;
  events: Pick<OutboundEvents, 'get'>;
  deliveries: DeliveryLog;
  queue: DeliveryQueue;
  http: OutboundHttp;
  /** Told once when an endpoint is disabled after three days of failures (the admins hear of it). */
  onEndpointDisabled: (endpointId: string) => Promise<void>;
  /** The newsletter tools: a delivery to a connector (its id `cn_…`) is a call to the tool, not a signed POST. */
  connectors?: ConnectorSyncDeps;
}

export type JobOutcome = 'gone' | 'stale' | 'waiting' | 'taken' | 'delivered' | 'retrying' | 'failed' | 'stopped';

/**
 * Runs one queued attempt of a delivery. A job of an earlier generation, or for a delivery that is no longer
 * pending, is dropped; one that came before its time (a wait longer than the queue's delay) waits again. Otherwise
 * the delivery is claimed (a job queued twice attempts once), the event is sent to the endpoint as it is now
 * (its URL checked again, its secrets as they sign today), and the outcome is written: delivered; pending with the
 * next attempt queued by the retry schedule; or failed after the last one. A failure that makes three days of
 * failures disables the endpoint. An endpoint that was removed or disabled, or an event that is gone (scrubbed
 * by an erase, or past its retention), fails the delivery without an attempt.
 */
export const runDeliveryJob = async (deps: WorkerDeps, job: DeliveryJob): Promise<JobOutcome> => {
  const delivery = await deps.deliveries.get(job.delivery);
  if (delivery?.status !== 'pending') {
    // An erase read again after its delivery was over kept its address again: nobody will use it.
    if (delivery?.type === 'subscriber.erased' && isConnectorId(delivery.webhookId)) await deps.connectors?.erasedAddresses?.drop(delivery.id);
    return 'gone';
  }
  if (delivery.generation !== job.generation) return 'stale';
  const now = deps.clock.now();
  if (delivery.nextAttemptAt && Date.parse(delivery.nextAttemptAt) > now.getTime() + 1000) {
    await deps.queue.send([{ ...job, delaySeconds: delayUntil(delivery.nextAttemptAt, now) }]);
    return 'waiting';
  }
  if (!(await deps.deliveries.claim(delivery.id, delivery, now, LEASE_MS))) return 'taken';

  const stop = async (error: 'endpoint_removed' | 'endpoint_disabled' | 'event_gone'): Promise<JobOutcome> => {
    await deps.deliveries.record(delivery.id, delivery.generation, { status: 'failed', attempts: delivery.attempts, at: now.toISOString(), error });
    return 'stopped';
  };
  if (isConnectorId(delivery.webhookId)) {
    // Loaded on first use: most deliveries are signed POSTs, and a worker that makes only those never reads it.
    const { connectorAttempt } = await import('./connector-attempt.js');
    return connectorAttempt(deps, delivery, now, stop);
  }
  const endpoint = await deps.endpoints.get(delivery.webhookId);
  if (!endpoint) return stop('endpoint_removed');
  if (endpoint.disabledAt) return stop('endpoint_disabled');
  const event = await deps.events.get(delivery.eventId, now);
  if (!event) return stop('event_gone');

  const report = await deliver(endpoint, event, deps.http, deps.clock);
  const attempt = delivery.attempts + 1;
  const after = deps.clock.now();
  const outcome = deliveryOutcome({ attempt, result: report, endpointFailingSince: endpoint.failingSince, now: after, random: deps.random });
  const update: DeliveryUpdate = {
    status: outcome.status,
    attempts: attempt,
    at: report.sentAt,
    latencyMs: Math.round(report.latencyMs),
    ...(report.responseStatus !== undefined ? { responseStatus: report.responseStatus } : {}),
    ...(report.delivered ? {} : { error: report.error }),
    ...(outcome.nextAttemptAt ? { nextAttemptAt: outcome.nextAttemptAt } : {}),
  };
  await deps.deliveries.record(delivery.id, delivery.generation, update);
  if (report.delivered) {
    if (endpoint.failingSince) await deps.endpoints.markSucceeded(endpoint.id);
    return 'delivered';
  }
  if (outcome.endpointFailingSince && !endpoint.failingSince) await deps.endpoints.markFailing(endpoint.id, outcome.endpointFailingSince);
  if (outcome.disableEndpoint && (await deps.endpoints.disable(endpoint.id, after.toISOString()))) await deps.onEndpointDisabled(endpoint.id);
  if (outcome.status === 'pending' && outcome.nextAttemptAt) {
    await deps.queue.send([{ delivery: delivery.id, generation: delivery.generation, delaySeconds: delayUntil(outcome.nextAttemptAt, after) }]);
    return 'retrying';
  }
  return 'failed';
};
