import * as z from 'zod/mini';
import { instant, onFirstUse } from '../shared/schema.js';

/**
 * Where a backfill is in the confirmed readers: the status index's partition (`shard`, 0 to 7) and, within it, the
 * sort key of the last reader pushed (absent: from the partition's start). The store keeps it sealed, as it names
 * an address.
 */
export const BackfillCursor = /* @__PURE__ */ onFirstUse(() => z.object({ shard: z.int().check(z.gte(0), z.lte(63)), after: z.optional(z.string().check(z.maxLength(2000))) }));
export type BackfillCursor = z.infer<typeof BackfillCursor>;

/**
 * A connector's backfill: every confirmed reader pushed to the tool, a page at a time, its cursor and count saved
 * after each page so that a crash or a second run goes on from there. `step` names the run (a new run, or the
 * resumption of a failed one, moves it on: a queued job of another step is dropped); `leaseUntil` is held by the
 * one worker pushing now; `cursor` is absent once done.
 */
export const Backfill = /* @__PURE__ */ onFirstUse(() => z.object({
  state: z.enum(['running', 'done', 'failed']),
  pushed: z.int().check(z.gte(0)),
  total: z.optional(z.int().check(z.gte(0))),
  startedAt: instant(),
  finishedAt: z.optional(instant()),
  /** Why it failed: the tool's refusal (its title or message, never an address). */
  error: z.optional(z.string().check(z.maxLength(500))),
  step: z.int().check(z.gte(1)),
  leaseUntil: z.optional(instant()),
  cursor: z.optional(BackfillCursor),
}));
export type Backfill = z.infer<typeof Backfill>;

/** A backfill as the admin tools show it. */
export const backfillView = ({ state, pushed, total, startedAt, finishedAt, error }: Backfill) => ({
  state,
  pushed,
  ...(total === undefined ? {} : { total }),
  startedAt,
  ...(finishedAt ? { finishedAt } : {}),
  ...(error ? { error } : {}),
});

