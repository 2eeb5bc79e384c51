import type { Connector, ConnectorStore } from '../../functions/core/connectors/admin.js';
import type { BackfillJob, BackfillQueue, BackfillStore } from '../../functions/core/connectors/backfill.js';
import type { Backfill } from '../../functions/core/connectors/backfill-model.js';
import type { DonorGift, DonorLedger, DonorRecord } from '../../functions/core/connectors/donors.js';
import { ERASED_ADDRESS_TTL_MS, type ErasedAddresses } from '../../functions/core/events/ports.js';
import type { ConnectorResult, ConnectorSubscriber, DonorStatus, NewsletterConnector } from '../../functions/core/connectors/model.js';
import { parse } from '../../functions/core/shared/schema.js';
import { Subscriber } from '../../functions/core/subscriptions/model.js';

/** An in-memory ConnectorStore and BackfillStore: the same interface and conditions as the DynamoDB adapter. */
export class MemoryConnectors implements ConnectorStore, BackfillStore {
  readonly items = new Map<string, Connector>();
  async create(connector: Connector) {
    if (this.items.has(connector.id)) throw new Error('exists');
    this.items.set(connector.id, structuredClone(connector));
  }
  async get(id: string) {
    const found = this.items.get(id);
    return found && structuredClone(found);
  }
  async list() {
    return [...this.items.values()].map((c) => structuredClone(c));
  }
  async remove(id: string) {
    return this.items.delete(id);
  }
  async savePulledUntil(id: string, until: string) {
    const found = this.items.get(id);
    if (found && (!found.pulledUntil || found.pulledUntil < until)) found.pulledUntil = until;
  }
  async startBackfill(id: string, backfill: Backfill, expectedStep: number | undefined) {
    const found = this.items.get(id);
    if (!found || (expectedStep === undefined ? found.backfill !== undefined : found.backfill?.step !== expectedStep)) return false;
    found.backfill = structuredClone(backfill);
    return true;
  }
  async claimBackfill(id: string, step: number, now: string, leaseUntil: string) {
    const b = this.items.get(id)?.backfill;
    if (!b || b.step !== step || b.state !== 'running' || (b.leaseUntil !== undefined && b.leaseUntil > now)) return false;
    b.leaseUntil = leaseUntil;
    return true;
  }
  async saveBackfill(id: string, backfill: Backfill, held: { step: number; leaseUntil: string }) {
    const found = this.items.get(id);
    if (!found?.backfill || found.backfill.step !== held.step || found.backfill.leaseUntil !== held.leaseUntil) return false;
    found.backfill = structuredClone(backfill);
    return true;
  }
}

/** The backfill's slices as queued, in order. */
export class MemoryBackfillQueue implements BackfillQueue {
  readonly jobs: (BackfillJob & { delaySeconds: number })[] = [];
  async send(job: BackfillJob & { delaySeconds: number }) {
    this.jobs.push({ ...job });
  }
}

/** In-memory sealed copies of erased addresses (the adapter seals them; here only their lifetime matters). */
export class MemoryErasedAddresses implements ErasedAddresses {
  readonly items = new Map<string, { email: string; at: number }>();
  async keep(deliveryId: string, email: string, now: Date) {
    if (!this.items.has(deliveryId)) this.items.set(deliveryId, { email, at: now.getTime() });
  }
  async open(deliveryId: string, now: Date) {
    const found = this.items.get(deliveryId);
    return found && found.at + ERASED_ADDRESS_TTL_MS > now.getTime() ? found.email : undefined;
  }
  async drop(deliveryId: string) {
    this.items.delete(deliveryId);
  }
}

/** An in-memory DonorLedger: the same conditions as the DynamoDB adapter (versions only forward, an end is final). */
export class MemoryDonorLedger implements DonorLedger {
  readonly gifts = new Map<string, Map<string, DonorGift>>();
  readonly monthly = new Map<string, Map<string, 'active' | 'ended'>>();
  async recordGift(subject: string, gift: DonorGift) {
    const mine = this.gifts.get(subject) ?? new Map<string, DonorGift>();
    this.gifts.set(subject, mine);
    const existing = mine.get(gift.key);
    if (!existing || existing.version < gift.version) mine.set(gift.key, { ...gift });
  }
  async recordMonthly(subject: string, subscription: string, state: 'active' | 'ended') {
    const mine = this.monthly.get(subject) ?? new Map<string, 'active' | 'ended'>();
    this.monthly.set(subject, mine);
    if (state === 'ended' || mine.get(subscription) !== 'ended') mine.set(subscription, state);
  }
  async read(subject: string): Promise<DonorRecord> {
    return {
      gifts: [...(this.gifts.get(subject)?.values() ?? [])].map((g) => ({ ...g })),
      monthly: [...(this.monthly.get(subject)?.entries() ?? [])].map(([subscription, state]) => ({ subscription, state })),
    };
  }
}

/** A newsletter tool that answers as scripted and records what it was asked (a push with the reader and donor status). */
export class ScriptedTool implements NewsletterConnector {
  readonly calls: { method: string; email: string; subscriber?: ConnectorSubscriber; donor?: DonorStatus | null | undefined }[] = [];
  constructor(public answer: ConnectorResult = { outcome: 'done' }) {}
  async push(subscriber: ConnectorSubscriber, donor?: DonorStatus) {
    this.calls.push({ method: 'push', email: subscriber.email, subscriber, donor });
    return this.answer;
  }
  async unsubscribe(email: string) {
    this.calls.push({ method: 'unsubscribe', email });
    return this.answer;
  }
  async erase(email: string) {
    this.calls.push({ method: 'erase', email });
    return this.answer;
  }
  async updateDonor(email: string, donor: DonorStatus | null) {
    this.calls.push({ method: 'updateDonor', email, donor });
    return this.answer;
  }
}

/**
 * A subscriber record as the table holds it, for the connectors' tests: signed up on 1 November, confirmed on the
 * 2nd when `status` is confirmed; `fields` adds or replaces any (a name, a language, an unsubscribe time).
 */
export const readerRecord = (email: string, status: string, version: number, fields: Record<string, unknown> = {}) =>
  parse(Subscriber, {
    email,
    status,
    lists: ['news'],
    round: 'r',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-02T00:00:00.000Z',
    subscribedAt: '2026-11-01T00:00:00.000Z',
    ...(status === 'confirmed' ? { confirmedAt: '2026-11-02T00:00:00.000Z' } : {}),
    consent: { signup: { at: '2026-11-01T00:00:00.000Z', wordingVersion: 'v1' } },
    version,
    ...fields,
  });
