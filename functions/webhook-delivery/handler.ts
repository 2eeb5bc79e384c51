import * as z from 'zod/mini';
import { onFirstUse } from '../core/shared/schema.js';
import { runDeliveryJob, type WorkerDeps } from '../core/events/worker.js';
import { type BackfillRunDeps, runBackfillSlice } from '../core/connectors/backfill.js';
import { sqsBatchHandler } from '../platform/sqs.js';

/** A queued attempt: the delivery's id and generation (never the event's data). */
const DeliveryMessage = onFirstUse(() => z.object({ d: z.string().check(z.minLength(1), z.maxLength(100)), g: z.int().check(z.gte(0)) }));
/** A queued slice of a connector's backfill: the connector and the run's step (never a reader's data). */
const BackfillMessage = onFirstUse(() => z.strictObject({ b: z.string().check(z.regex(/^cn_[a-f0-9]{16}$/)), s: z.int().check(z.gte(1)) }));
const QueueMessage = onFirstUse(() => z.union([DeliveryMessage, BackfillMessage]));

/**
 * The delivery queue: each message is one attempt (runDeliveryJob), or one slice of a connector's backfill
 * (runBackfillSlice). A failed attempt is not a failed message (its retry is queued by the schedule); a message
 * fails only when the attempt could not be recorded, or a slice stopped short (a crash of its own), and SQS then
 * delivers it again (the claim or the lease keeps anything from being sent twice at once).
 */
export const makeHandler = (deps: WorkerDeps, backfill?: BackfillRunDeps) =>
  sqsBatchHandler(QueueMessage, (message) => {
    if ('d' in message) return runDeliveryJob(deps, { delivery: message.d, generation: message.g });
    if (!backfill) throw new Error('this worker runs no backfills');
    return runBackfillSlice(backfill, { connector: message.b, step: message.s });
  });
