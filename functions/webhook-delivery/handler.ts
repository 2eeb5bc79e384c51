import type { SQSEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { onFirstUse, parse } from '../core/shared/schema.js';
import { runDeliveryJob, type WorkerDeps } from '../core/events/worker.js';
import type { BackfillRunDeps } from '../core/connectors/backfill.js';
import type { PullRefusalsDeps } from '../core/connectors/pull.js';
import { logger } from '../platform/logger.js';
import { sqsBatchHandler } from '../platform/sqs.js';

/** A queued attempt: the delivery's id and generation (never the event's data). */
const DeliveryMessage = /* @__PURE__ */ onFirstUse(() => z.object({ d: z.string().check(z.minLength(1), z.maxLength(100)), g: z.int().check(z.gte(0)) }));
/** A queued slice of a connector's backfill: the connector and the run's step (never a reader's data). */
const BackfillMessage = /* @__PURE__ */ onFirstUse(() => z.strictObject({ b: z.string().check(z.regex(/^cn_[a-f0-9]{16}$/)), s: z.int().check(z.gte(1)) }));
const QueueMessage = /* @__PURE__ */ onFirstUse(() => z.union([DeliveryMessage, BackfillMessage]));

/** Loaded on first use: the backfills' slices and the pull are rare beside the deliveries' attempts. */
const sections = () => import('./sections.js');

/** What the schedule invokes the worker with (infra/constructs/outbound-events.ts): the pull of listmonk's refusals. */
export const LISTMONK_PULL_JOB = { job: 'listmonk-pull' } as const;
const ScheduledJob = /* @__PURE__ */ onFirstUse(() => z.strictObject({ job: z.literal(LISTMONK_PULL_JOB.job) }));

/**
 * The delivery queue: each message is one attempt (runDeliveryJob), or one slice of a connector's backfill
 * (runBackfillSlice). A failed attempt is not a failed message (its retry is queued by the schedule); a message
 * fails only when the attempt could not be recorded, or a slice stopped short (a crash of its own), and SQS then
 * delivers it again (the claim or the lease keeps anything from being sent twice at once).
 */
export const makeQueueHandler = (deps: WorkerDeps, backfill?: BackfillRunDeps) =>
  sqsBatchHandler(QueueMessage, async (message) => {
    if ('d' in message) return runDeliveryJob(deps, { delivery: message.d, generation: message.g });
    if (!backfill) throw new Error('this worker runs no backfills');
    const { runBackfillSlice } = await sections();
    return runBackfillSlice(backfill, { connector: message.b, step: message.s });
  });

/**
 * The scheduled pull of listmonk's refusals (pullRefusals), run by the worker that already holds the tools' clients
 * and the guarded HTTP client. Its log line counts, per connector, what was pulled: never an address.
 */
export const makePullHandler = (deps: PullRefusalsDeps) => async (payload: unknown) => {
  parse(ScheduledJob, payload);
  // Loaded on first use: a run every 15 minutes, where the deliveries' cold starts are many.
  const { pullRefusals } = await sections();
  const outcomes = await pullRefusals(deps);
  for (const outcome of outcomes) {
    if (outcome.outcome === 'pulled') logger.info('listmonk refusals pulled', outcome);
    else logger.warn('listmonk refusals not pulled', outcome);
  }
  return { connectors: outcomes };
};

const isQueueEvent = (event: unknown): event is SQSEvent => typeof event === 'object' && event !== null && Array.isArray((event as { Records?: unknown }).Records);

/** The worker's entry: the queue's batches, and the schedule's runs of the pull. */
export const makeHandler = (deps: WorkerDeps, backfill?: BackfillRunDeps, pull?: PullRefusalsDeps) => {
  const queue = makeQueueHandler(deps, backfill);
  const pulls = pull && makePullHandler(pull);
  return (event: unknown) => {
    if (isQueueEvent(event)) return queue(event);
    if (!pulls) throw new Error('this worker runs no pulls');
    return pulls(event);
  };
};
