import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import type Stripe from 'stripe';
import { appendJournal, readJournal, writeFileAtomic } from '../journal.js';

/**
 * What Stripe keeps about a Checkout Session beyond the session object itself: its line item (as the
 * `line_items` sub-resource would list it) and the metadata it was asked to put on the payment intent or the
 * subscription it creates. Never sent to a client: the session the API returns is exactly a Stripe session.
 */
export interface CheckoutSetup {
  productName: string;
  unitAmount: number;
  quantity: number;
  paymentIntentMetadata: Stripe.Metadata;
  subscriptionMetadata: Stripe.Metadata;
}

/**
 * A webhook delivery still to be made: the event's first attempt (made as the action answers) or a retry after
 * failed attempts, due at `dueAt` (milliseconds since the epoch). Kept with the objects, so that a restart takes
 * the deliveries up where they were, as Stripe keeps retrying whatever happens to the endpoint.
 */
export interface PendingDelivery {
  /** Attempts made so far, all failed. */
  attempts: number;
  dueAt: number;
  /** The event; absent in snapshots of earlier versions, whose deliveries are keyed by the event id. */
  event?: string;
  /** The webhook endpoint (`we_…`) it goes to; absent: the listener that gets every event (`stripe listen`). */
  endpoint?: string;
}

/** A webhook endpoint as the simulator keeps it: Stripe's object with its signing secret, which the API shows only once. */
export type StoredWebhookEndpoint = Stripe.WebhookEndpoint & { secret: string };

/** Everything the simulator knows, as one JSON document (its snapshot, `stripe.json`). */
export interface SimState {
  sessions: Record<string, Stripe.Checkout.Session>;
  checkouts: Record<string, CheckoutSetup>;
  paymentIntents: Record<string, Stripe.PaymentIntent>;
  charges: Record<string, Stripe.Charge>;
  refunds: Record<string, Stripe.Refund>;
  disputes: Record<string, Stripe.Dispute>;
  customers: Record<string, Stripe.Customer>;
  invoices: Record<string, Stripe.Invoice>;
  subscriptions: Record<string, Stripe.Subscription>;
  /** Customer Portal sessions, each opening the portal page of one customer. */
  portalSessions: Record<string, Stripe.BillingPortal.Session>;
  /**
   * Earlier versions kept only the id of the account's default Customer Portal configuration here; it is made a
   * whole configuration (in `portalConfigurations`) when such a snapshot is read.
   */
  portalConfiguration?: string;
  /** Customer Portal configurations (`bpc_…`), the account's default (`is_default`) among them. */
  portalConfigurations: Record<string, Stripe.BillingPortal.Configuration>;
  /** Webhook endpoints (`we_…`), each with its signing secret. */
  webhookEndpoints: Record<string, StoredWebhookEndpoint>;
  events: Stripe.Event[];
  /** Idempotency key → the frozen first answer, and the request it answered (method, path, parameters). */
  idempotency: Record<string, { status: number; body: unknown; request?: string }>;
  /** Deliveries not made yet, by event id. */
  deliveries: Record<string, PendingDelivery>;
}

/** The collections of objects by id. */
export type Collection = Exclude<keyof SimState, 'events' | 'portalConfiguration'>;
type ItemOf<C extends Collection> = SimState[C][string];

/** The collection each of Stripe's objects is kept in, by its `object`. */
const COLLECTION_OF = {
  'checkout.session': 'sessions',
  payment_intent: 'paymentIntents',
  charge: 'charges',
  refund: 'refunds',
  dispute: 'disputes',
  customer: 'customers',
  invoice: 'invoices',
  subscription: 'subscriptions',
  'billing_portal.session': 'portalSessions',
  'billing_portal.configuration': 'portalConfigurations',
  webhook_endpoint: 'webhookEndpoints',
} as const satisfies Record<string, Collection>;
type StripeObject = { [K in keyof typeof COLLECTION_OF]: ItemOf<(typeof COLLECTION_OF)[K]> }[keyof typeof COLLECTION_OF];

const empty = (): SimState => ({
  sessions: {},
  checkouts: {},
  paymentIntents: {},
  charges: {},
  refunds: {},
  disputes: {},
  customers: {},
  invoices: {},
  subscriptions: {},
  portalSessions: {},
  portalConfigurations: {},
  webhookEndpoints: {},
  events: [],
  idempotency: {},
  deliveries: {},
});

/** An object of a collection by id, only if it is one of its own (never `__proto__` or another inherited key). */
export const own = <T>(items: Record<string, T>, id: string): T | undefined => (Object.hasOwn(items, id) ? items[id] : undefined);

/** A portal session's configuration id (the field is the object when expanded). */
export const idOfConfiguration = (configuration: string | { id: string }) => (typeof configuration === 'string' ? configuration : configuration.id);

export const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;
export const now = () => Math.floor(Date.now() / 1000);

/**
 * One change, as the journal keeps it: an object's whole new value, or its removal, or an event recorded. Applying
 * a change twice leaves what applying it once does, so a journal replayed onto a snapshot that already holds it
 * (a crash between the two steps of a compaction) gives the same state.
 */
type Change =
  | { op: 'put'; collection: Collection; id: string; value: unknown }
  | { op: 'delete'; collection: Collection; id: string }
  | { op: 'event'; event: Stripe.Event }
  | { op: 'portalConfiguration'; id: string };

/**
 * A line of the journal: the changes of one action (or one delivery's outcome), written with one append, so that
 * they survive a crash together or, when the crash cut their line off, not at all; the action had not answered.
 */
type JournalEntry = Change[];

const COLLECTIONS: ReadonlySet<string> = new Set(Object.keys(empty()).filter((key) => key !== 'events'));

/**
 * The default configuration as a Stripe dashboard saves it for an account that sells subscriptions: invoice
 * history, changing the card and cancelling (at once, without proration) on; updating details and plans off.
 */
const defaultPortalConfiguration = (id: string): Stripe.BillingPortal.Configuration => ({
  id,
  object: 'billing_portal.configuration',
  active: true,
  application: null,
  business_profile: { headline: null, privacy_policy_url: null, terms_of_service_url: null },
  created: now(),
  default_return_url: null,
  features: {
    customer_update: { allowed_updates: [], enabled: false },
    invoice_history: { enabled: true },
    payment_method_update: { enabled: true, payment_method_configuration: null },
    subscription_cancel: {
      cancellation_reason: { enabled: false, feedback_options: null, options: [] },
      enabled: true,
      mode: 'immediately',
      proration_behavior: 'none',
    },
    subscription_pause: { duration: { interval_options: [], type: 'indefinite' }, enabled: false },
    subscription_update: {
      billing_cycle_anchor: null,
      default_allowed_updates: [],
      enabled: false,
      proration_behavior: 'none',
      schedule_at_period_end: { conditions: [] },
      trial_update_behavior: 'end_trial',
    },
  },
  is_default: true,
  livemode: false,
  login_page: { enabled: false, url: null },
  metadata: {},
  name: null,
  updated: now(),
});

/** Journal bytes past which it is folded into the snapshot while running (or past the snapshot's size, if larger). */
const COMPACT_AFTER_BYTES = 16 * 1024 * 1024;

/** An own property, even for a key such as `__proto__` (an idempotency key is the client's to choose). */
const setOwn = <T>(items: Record<string, T>, id: string, value: T) => {
  Object.defineProperty(items, id, { value, writable: true, enumerable: true, configurable: true });
};

/** The journal next to a snapshot: `stripe.json` → `stripe.jsonl`. */
export const journalOf = (snapshot: string) => `${snapshot.replace(/\.json$/, '')}.jsonl`;

/**
 * The snapshot, or nothing. Earlier versions rewrote it in place after every action, so a crash mid-write could
 * leave it cut off; such a file cannot be read back, and is moved aside (kept for a look) rather than stop the dev
 * server from starting. Snapshots are now replaced atomically and are never cut off.
 */
const readSnapshot = (file: string): Partial<SimState> => {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Partial<SimState>;
  } catch {
    const aside = `${file}.damaged-${Date.now()}`;
    renameSync(file, aside);
    console.warn(`[appeal] ${file} was cut off by a crash of an earlier version; it is kept as ${aside} and the Stripe simulator starts empty`);
    return {};
  }
};

/**
 * The simulator's objects, kept in memory and on disk as a snapshot (`stripe.json`, one JSON document) and a
 * journal of the changes since (`stripe.jsonl`, JSON lines), as the dev server's other stand-ins keep theirs
 * (../journal.ts). An action changes objects through `put`, `delete`, `addEvent`, then `commit` appends those
 * changes as one line before the action answers, so a crash (`kill -9`) loses nothing that was answered, and the
 * cost of an action does not grow with the state. At start the journal is replayed onto the snapshot (a line a
 * crash cut off is skipped: its action never answered), then folded into a new snapshot, written to a temporary
 * file and renamed over the old one, and emptied; the same happens while running once the journal outgrows the
 * snapshot. (Not fsynced on each append, as the other journals: a power cut may lose the last actions.)
 */
export class StripeStore {
  readonly state: SimState;
  private readonly journal: string;
  private readonly eventsById = new Map<string, Stripe.Event>();
  /** Objects changed since the last commit, by collection and id. */
  private readonly changed = new Map<string, [Collection, string]>();
  private recorded: Stripe.Event[] = [];
  private journalBytes = 0;
  private snapshotBytes = 0;

  constructor(private readonly file: string) {
    this.journal = journalOf(file);
    // A snapshot from before a collection existed gets that collection empty.
    this.state = { ...empty(), ...readSnapshot(file) };
    for (const event of this.state.events) this.eventsById.set(event.id, event);
    const { entries, skipped } = readJournal<JournalEntry>(this.journal);
    if (skipped > 0) console.warn(`[appeal] ${this.journal}: skipped ${skipped} incomplete line(s), written when the process died`);
    for (const entry of entries) if (Array.isArray(entry)) for (const change of entry) this.apply(change);
    const legacyDefault = this.state.portalConfiguration;
    if (legacyDefault !== undefined && !own(this.state.portalConfigurations, legacyDefault)) {
      setOwn(this.state.portalConfigurations, legacyDefault, defaultPortalConfiguration(legacyDefault));
    }
    delete this.state.portalConfiguration;
    this.snapshotBytes = existsSync(file) ? statSync(file).size : 0;
    if (existsSync(this.journal) && statSync(this.journal).size > 0) this.compact();
  }

  /** Sets an object (new, or changed in place) for the next commit. */
  put<C extends Collection>(collection: C, id: string, value: ItemOf<C>) {
    setOwn(this.state[collection] as Record<string, ItemOf<C>>, id, value);
    this.changed.set(`${collection}/${id}`, [collection, id]);
  }

  /** Sets Stripe objects (new, or changed in place) for the next commit, each in its collection. */
  keep(...objects: (StripeObject | undefined)[]) {
    for (const object of objects) {
      if (!object?.id) continue;
      const collection = COLLECTION_OF[object.object];
      setOwn(this.state[collection] as Record<string, StripeObject>, object.id, object);
      this.changed.set(`${collection}/${object.id}`, [collection, object.id]);
    }
  }

  delete(collection: Collection, id: string) {
    delete (this.state[collection] as Record<string, unknown>)[id];
    this.changed.set(`${collection}/${id}`, [collection, id]);
  }

  addEvent(event: Stripe.Event) {
    this.state.events.push(event);
    this.eventsById.set(event.id, event);
    this.recorded.push(event);
  }

  /**
   * The account's default Customer Portal configuration: the one its dashboard settings save, and the one a portal
   * session uses when it names none. A local account is one whose settings were saved once (Stripe refuses portal
   * sessions until they are), so it is made, as the dashboard makes it, the first time it is needed.
   */
  defaultPortalConfiguration(): Stripe.BillingPortal.Configuration {
    const found = Object.values(this.state.portalConfigurations).find((c) => c.is_default);
    if (found) return found;
    const made = defaultPortalConfiguration(newId('bpc'));
    this.put('portalConfigurations', made.id, made);
    return made;
  }

  event(id: string): Stripe.Event | undefined {
    return this.eventsById.get(id);
  }

  /**
   * Appends the changes made since the last commit as one journal line (each object as it is now); nothing when
   * there are none. Folds the journal into the snapshot once it has outgrown it.
   */
  commit() {
    const changes: Change[] = [];
    for (const [collection, id] of this.changed.values()) {
      const items = this.state[collection] as Record<string, unknown>;
      changes.push(Object.hasOwn(items, id) ? { op: 'put', collection, id, value: items[id] } : { op: 'delete', collection, id });
    }
    for (const event of this.recorded) changes.push({ op: 'event', event });
    this.changed.clear();
    this.recorded = [];
    if (changes.length === 0) return;
    this.journalBytes += appendJournal(this.journal, changes);
    if (this.journalBytes > Math.max(COMPACT_AFTER_BYTES, this.snapshotBytes)) this.compact();
  }

  /** The charge of a payment intent (each has exactly one here: no retries of a declined card). */
  chargeOf(paymentIntentId: string): Stripe.Charge | undefined {
    return Object.values(this.state.charges).find((c) => c.payment_intent === paymentIntentId);
  }

  private apply(change: Change) {
    switch (change.op) {
      case 'put':
        if (COLLECTIONS.has(change.collection)) setOwn(this.state[change.collection] as Record<string, unknown>, change.id, change.value);
        break;
      case 'delete':
        if (COLLECTIONS.has(change.collection)) delete (this.state[change.collection] as Record<string, unknown>)[change.id];
        break;
      case 'event':
        if (!this.eventsById.has(change.event.id)) {
          this.state.events.push(change.event);
          this.eventsById.set(change.event.id, change.event);
        }
        break;
      case 'portalConfiguration':
        // Written by earlier versions: the default configuration's id (made whole once the journal is read).
        this.state.portalConfiguration = change.id;
        break;
    }
  }

  /**
   * Writes the whole state as the new snapshot (atomically: a crash leaves the old snapshot or the new one), then
   * empties the journal, whose changes the snapshot holds now.
   */
  private compact() {
    const text = JSON.stringify(this.state);
    writeFileAtomic(this.file, text);
    writeFileSync(this.journal, '');
    this.snapshotBytes = Buffer.byteLength(text);
    this.journalBytes = 0;
  }
}
