import { ConnectorError } from '../connectors/model.js';
import { syncEvent } from '../connectors/sync.js';
import type { Delivery, DeliveryUpdate } from './ports.js';
import { delayUntil, MAX_ATTEMPTS, nextAttemptAt } from './schedule.js';
import type { JobOutcome, WorkerDeps } from './worker.js';

/**
 * One attempt of a delivery to a newsletter tool: the event brought to it (syncEvent). Done, or the person's own
 * "no" (Appeal's record then marked unsubscribed), is delivered; a busy or unreachable tool is tried again by the
 * retry schedule, never sooner than it asked (Retry-After); a refusal a retry cannot fix fails the delivery.
 */
export const connectorAttempt = async (
  deps: WorkerDeps,
  delivery: Delivery,
  now: Date,
  stop: (error: 'endpoint_removed' | 'event_gone') => Promise<JobOutcome>,
): Promise<JobOutcome> => {
  // An erase's sealed address goes as soon as its delivery is over, whichever way it ended.
  const finish = async (outcome: JobOutcome) => {
    if (delivery.type === 'subscriber.erased' && outcome !== 'retrying') await deps.connectors?.erasedAddresses?.drop(delivery.id);
    return outcome;
  };
  const connector = deps.connectors && (await deps.connectors.connectors.get(delivery.webhookId));
  if (!deps.connectors || !connector) return finish(await stop('endpoint_removed'));
  const event = await deps.events.get(delivery.eventId, now);
  if (!event) return finish(await stop('event_gone'));
  const attempt = delivery.attempts + 1;
  const started = performance.now();
  let update: DeliveryUpdate;
  try {
    const result = await syncEvent(deps.connectors, connector, event, delivery.id);
    const after = deps.clock.now();
    const latencyMs = Math.round(performance.now() - started);
    if (result.outcome !== 'retry_later') {
      update = { status: 'delivered', attempts: attempt, at: after.toISOString(), latencyMs };
    } else {
      const scheduled = attempt < MAX_ATTEMPTS ? nextAttemptAt(attempt, after, deps.random) : undefined;
      const asked = after.getTime() + result.retryAfterSeconds * 1000;
      const next = scheduled && new Date(Math.max(scheduled.getTime(), asked));
      update = next
        ? { status: 'pending', attempts: attempt, at: after.toISOString(), latencyMs, error: 'status', nextAttemptAt: next.toISOString() }
        : { status: 'failed', attempts: attempt, at: after.toISOString(), latencyMs, error: 'status' };
    }
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    const at = deps.clock.now().toISOString();
    update = { status: 'failed', attempts: attempt, at, latencyMs: Math.round(performance.now() - started), error: 'status', ...(error.status > 0 ? { responseStatus: error.status } : {}) };
  }
  await deps.deliveries.record(delivery.id, delivery.generation, update);
  if (update.status === 'pending' && update.nextAttemptAt) {
    await deps.queue.send([{ delivery: delivery.id, generation: delivery.generation, delaySeconds: delayUntil(update.nextAttemptAt, deps.clock.now()) }]);
    return 'retrying';
  }
  return finish(update.status === 'delivered' ? 'delivered' : 'failed');
};
