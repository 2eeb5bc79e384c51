import { ConflictError } from './errors.js';
import type { CountedAs, CountOp, Subscriber } from './model.js';
import type { Clock, Counters, SubscriberRepository } from './ports.js';
import { newId } from './secrets.js';

/** The counters one subscriber adds: one for its status, one per list and status. */
export const countsOf = (as: CountedAs | undefined): Record<string, number> => {
  if (!as) return {};
  const counts: Record<string, number> = { [`status:${as.status}`]: 1 };
  for (const list of as.lists) counts[`list:${list}:${as.status}`] = 1;
  return counts;
};

export const countDelta = (from: CountedAs | undefined, to: CountedAs | undefined): Record<string, number> => {
  const delta: Record<string, number> = {};
  for (const [key, n] of Object.entries(countsOf(to))) delta[key] = (delta[key] ?? 0) + n;
  for (const [key, n] of Object.entries(countsOf(from))) delta[key] = (delta[key] ?? 0) - n;
  return Object.fromEntries(Object.entries(delta).filter(([, n]) => n !== 0));
};

const sameCount = (a: CountedAs | undefined, b: CountedAs | undefined) => Object.keys(countDelta(a, b)).length === 0;

/** What a subscriber should add to the counts: nothing while it is being erased. */
const targetOf = (s: Subscriber): CountedAs => (s.erasing ? null : { status: s.status, lists: s.lists });

/**
 * A SubscriberRepository that keeps the subscriber counts (`GET /v1/admin/stats`) up to date with every write,
 * exactly once and without transactions. The change to the counts rides on the subscriber's own conditional
 * write as a pending `countOp`; it is then applied to the counters (guarded by its id), moved into `counted`,
 * and retired. A crash anywhere leaves the op on the subscriber, and the next read or write finishes it.
 */
export class CountingSubscriberRepository implements SubscriberRepository {
  /**
   * The counting fields of items read recently, by email and version. An item's fields at a given version never
   * change, so a save at that version can use them without reading the item again. Bounded.
   */
  private readonly seen = new Map<string, Pick<Subscriber, 'version' | 'counted' | 'countOp' | 'lastCountOp'>>();

  constructor(
    private readonly inner: SubscriberRepository,
    private readonly counters: Counters,
    private readonly clock: Clock,
  ) {}

  async get(email: string): Promise<Subscriber | undefined> {
    const found = await this.inner.get(email);
    const settled = found?.countOp ? await this.settle(found) : found;
    if (settled) this.remember(settled);
    return settled;
  }

  private remember({ email, version, counted, countOp, lastCountOp }: Subscriber) {
    this.seen.delete(email);
    this.seen.set(email, { version, counted, countOp, lastCountOp });
    if (this.seen.size > 500) this.seen.delete(this.seen.keys().next().value as string);
  }

  private async storedCounting(email: string, version: number) {
    const known = this.seen.get(email);
    return known?.version === version ? known : this.inner.get(email);
  }

  async save(next: Subscriber, expectedVersion: number | undefined): Promise<Subscriber> {
    // The counting fields are this class's own: take them from the stored item, never from the caller, so a
    // use case that builds a subscriber afresh cannot lose them.
    const stored = expectedVersion === undefined ? undefined : await this.storedCounting(next.email, expectedVersion);
    const base: Subscriber = { ...next, counted: stored?.counted, countOp: stored?.countOp, lastCountOp: stored?.lastCountOp };
    const target = targetOf(base);
    const withOp: Subscriber =
      base.countOp || sameCount(base.counted, target)
        ? base
        : { ...base, countOp: { id: newId(), from: base.counted ?? null, to: target } };
    const saved = await this.settle(await this.inner.save(withOp, expectedVersion));
    this.remember(saved);
    return saved;
  }

  async delete(current: Subscriber): Promise<void> {
    // Take the subscriber out of the counts first (a write that carries the op), then delete the item.
    const erasing = await this.save({ ...current, erasing: true }, current.version);
    if (erasing.countOp || !sameCount(erasing.counted, null)) throw new ConflictError('the subscriber changed while erasing');
    await this.inner.delete(erasing);
  }

  /** Finishes a pending count op (and any change made while it was pending). Never throws ConflictError. */
  private async settle(subscriber: Subscriber): Promise<Subscriber> {
    let current = subscriber;
    for (let attempt = 0; attempt < 5 && current.countOp; attempt++) {
      const op: CountOp = current.countOp;
      await this.counters.apply(op.id, countDelta(op.from, op.to), this.clock.now());
      const target = targetOf(current);
      const followUp = sameCount(op.to, target) ? undefined : { id: newId(), from: op.to, to: target };
      try {
        current = await this.inner.save({ ...current, counted: op.to, countOp: followUp, lastCountOp: op.id }, current.version);
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
        const fresh = await this.inner.get(current.email);
        if (!fresh) return current; // erased meanwhile: its eraser finished the counts
        current = fresh;
        continue;
      }
      await this.counters.retire(op.id, this.clock.now());
    }
    return current;
  }
}
