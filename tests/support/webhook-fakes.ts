import type { WebhookEndpoint } from '../../functions/core/events/endpoint.js';
import type { DonationEventData, WebhookEvent } from '../../functions/core/events/model.js';
import type { Delivery, DeliveryJob, DeliveryLog, DeliveryQueue, DeliveryUpdate, OutboundEvents, WebhookEndpoints } from '../../functions/core/events/ports.js';
import type { EndpointSecrets } from '../../functions/core/events/signing.js';
import type { Clock } from '../../functions/core/shared/ports.js';

// In-memory fakes of the events ports: the same interfaces, the same conditions as the DynamoDB adapters.

export class MemoryEndpoints implements WebhookEndpoints {
  readonly items = new Map<string, WebhookEndpoint>();
  async create(endpoint: WebhookEndpoint) {
    if (this.items.has(endpoint.id)) throw new Error('exists');
    this.items.set(endpoint.id, { ...endpoint });
  }
  async get(id: string) {
    const found = this.items.get(id);
    return found && { ...found };
  }
  async list() {
    return [...this.items.values()].map((e) => ({ ...e }));
  }
  async remove(id: string) {
    return this.items.delete(id);
  }
  async saveSecrets(id: string, secrets: EndpointSecrets) {
    const found = this.items.get(id);
    if (!found) throw new Error('missing');
    this.items.set(id, { ...found, ...secrets });
  }
  async markFailing(id: string, since: string) {
    const found = this.items.get(id);
    if (found && !found.failingSince) found.failingSince = since;
  }
  async markSucceeded(id: string) {
    const found = this.items.get(id);
    if (found) delete found.failingSince;
  }
  async disable(id: string, at: string) {
    const found = this.items.get(id);
    if (!found || found.disabledAt) return false;
    found.disabledAt = at;
    return true;
  }
  async enable(id: string) {
    const found = this.items.get(id);
    if (!found) return false;
    delete found.disabledAt;
    delete found.failingSince;
    return true;
  }
}

export class MemoryOutboundEvents implements OutboundEvents {
  readonly events = new Map<string, { event: WebhookEvent; subject: string | undefined; createdAt: Date }>();
  readonly monthlies = new Map<string, { data: DonationEventData; by: string; subject: string | undefined }>();
  readonly erased = new Set<string>();
  async put(event: WebhookEvent, subject: string | undefined, now: Date) {
    if (!this.events.has(event.id)) this.events.set(event.id, { event: structuredClone(event), subject, createdAt: now });
  }
  async get(id: string) {
    return this.events.get(id)?.event;
  }
  async scrub(subject: string) {
    let n = 0;
    for (const [id, kept] of this.events) {
      if (kept.subject === subject) {
        this.events.delete(id);
        n += 1;
      }
    }
    for (const monthly of this.monthlies.values()) {
      if (monthly.subject === subject) {
        delete monthly.data.email;
        delete monthly.data.name;
        monthly.subject = undefined;
        n += 1;
      }
    }
    return n;
  }
  async isErased(subject: string) {
    return this.erased.has(subject);
  }
  async startMonthly(subscription: string, data: DonationEventData, subject: string | undefined, options: { by: string }) {
    const existing = this.monthlies.get(subscription);
    if (existing) return existing.by === options.by;
    this.monthlies.set(subscription, { data: structuredClone(data), by: options.by, subject });
    return true;
  }
  async monthly(subscription: string) {
    return this.monthlies.get(subscription)?.data;
  }
}

export class MemoryDeliveryLog implements DeliveryLog {
  readonly items = new Map<string, Delivery & { leaseUntil?: string }>();
  async create(delivery: Delivery) {
    if (this.items.has(delivery.id)) return false;
    this.items.set(delivery.id, { ...delivery });
    return true;
  }
  async get(id: string) {
    const found = this.items.get(id);
    if (!found) return undefined;
    const { leaseUntil: _l, ...delivery } = found;
    return delivery;
  }
  async claim(id: string, expected: { attempts: number; generation: number }, now: Date, leaseMs: number) {
    const found = this.items.get(id);
    if (found?.status !== 'pending' || found.attempts !== expected.attempts || found.generation !== expected.generation) return false;
    if (found.leaseUntil && found.leaseUntil >= now.toISOString()) return false;
    found.leaseUntil = new Date(now.getTime() + leaseMs).toISOString();
    return true;
  }
  async record(id: string, generation: number, update: DeliveryUpdate) {
    const found = this.items.get(id);
    if (!found || found.generation !== generation) return;
    const { leaseUntil: _l, nextAttemptAt: _n, responseStatus: _r, latencyMs: _t, error: _e, ...kept } = found;
    this.items.set(id, { ...kept, ...update });
  }
  async rearm(id: string, now: Date) {
    const found = this.items.get(id);
    if (!found) return undefined;
    const { leaseUntil: _l, nextAttemptAt: _n, error: _e, ...kept } = found;
    const rearmed: Delivery = { ...kept, status: 'pending', attempts: 0, generation: found.generation + 1, at: now.toISOString() };
    this.items.set(id, rearmed);
    return { ...rearmed };
  }
  async list(webhookId: string, options: { limit: number; since?: string }) {
    return [...this.items.values()]
      .filter((d) => d.webhookId === webhookId && (!options.since || d.createdAt >= options.since))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
      .slice(0, options.limit)
      .map(({ leaseUntil: _l, ...d }) => d);
  }
}

/** The delivery queue: jobs kept with the time they become visible, handed out by `due`. */
export class MemoryDeliveryQueue implements DeliveryQueue {
  readonly jobs: (DeliveryJob & { visibleAt: number })[] = [];
  constructor(private readonly clock: Clock) {}
  async send(jobs: readonly (DeliveryJob & { delaySeconds: number })[]) {
    for (const { delaySeconds, ...job } of jobs) this.jobs.push({ ...job, visibleAt: this.clock.now().getTime() + delaySeconds * 1000 });
  }
  /** Takes the jobs visible now. */
  due(): DeliveryJob[] {
    const now = this.clock.now().getTime();
    const due = this.jobs.filter((j) => j.visibleAt <= now);
    for (const job of due) this.jobs.splice(this.jobs.indexOf(job), 1);
    return due.map(({ visibleAt: _v, ...job }) => job);
  }
  /** When the next job becomes visible. */
  next() {
    return Math.min(...this.jobs.map((j) => j.visibleAt));
  }
}
