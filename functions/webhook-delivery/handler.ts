import * as z from 'zod/mini';
import { onFirstUse } from '../core/shared/schema.js';
import { runDeliveryJob, type WorkerDeps } from '../core/events/worker.js';
import { sqsBatchHandler } from '../platform/sqs.js';

/** A queued attempt: the delivery's id and generation (never the event's data). */
const DeliveryMessage = onFirstUse(() => z.object({ d: z.string().check(z.minLength(1), z.maxLength(100)), g: z.int().check(z.gte(0)) }));

/**
 * The delivery queue: each message is one attempt (runDeliveryJob). A failed attempt is not a failed message (its
 * retry is queued by the schedule); a message fails only when the attempt could not be recorded, and SQS then
 * delivers it again (the claim keeps it from being sent twice).
 */
export const makeHandler = (deps: WorkerDeps) =>
  sqsBatchHandler(DeliveryMessage, (message) => runDeliveryJob(deps, { delivery: message.d, generation: message.g }));
