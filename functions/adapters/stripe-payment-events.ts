import Stripe from 'stripe';
import * as z from 'zod/mini';
import { parse, safeParse, onFirstUse } from '../core/shared/schema.js';
import { CurrencyCode, type PaymentEvent } from '../core/donations/model.js';
import { parseEmailAddress } from '../core/shared/email-address.js';
import { InvalidSignatureError } from '../core/shared/errors.js';
import type { PaymentEvents } from '../core/donations/ports.js';
import { logger } from '../platform/logger.js';
import { giftDetailsOf, idOf, isLiveKey, Metadata, translate } from './stripe-client.js';
import { isHandledStripeEvent } from './stripe-handled-events.js';
import { attributionFromMetadata } from '../core/experiments/attribution-metadata.js';
import { GiftAidDeclaration } from '../core/donations/gift-aid.js';

const laterEvents = () => import('./stripe-later-events.js');

// What the webhook reads of each Stripe object, checked before use: the `stripe` package's types of the fields we
// rely on (the rest is not read), money as whole minor units that are never negative.

/** An id Stripe gives as a string, or as the object when expanded; null when there is none. */
export const IdRef = /* @__PURE__ */ onFirstUse(() => z.nullish(z.union([z.string(), z.object({ id: z.string() })])));
/** Money in minor units, as Stripe's API types it: a whole number, never negative. */
export const Amount = () => z.int().check(z.gte(0));
/** Seconds since the epoch. */
export const Timestamp = () => z.int().check(z.gte(0));
export const ObjectMetadata = /* @__PURE__ */ onFirstUse(() => z.nullish(Metadata));

/** A postal address as Stripe gives it (Stripe.Address): every field a string or null. */
const StripeAddress = /* @__PURE__ */ onFirstUse(() => z.object({
  line1: z.nullish(z.string()),
  line2: z.nullish(z.string()),
  city: z.nullish(z.string()),
  postal_code: z.nullish(z.string()),
  country: z.nullish(z.string()),
}));

/**
 * The Gift Aid declaration a completed checkout carries: the version the donor ticked (the metadata), with the name
 * and home address Checkout collected (its required billing address). None when either is missing or not a
 * usable address: a declaration without them could not be claimed.
 */
const declarationOf = (
  version: string | undefined,
  details: { name?: string | null | undefined; address?: z.infer<typeof StripeAddress> | null | undefined } | null | undefined,
  at: Date,
): GiftAidDeclaration | undefined => {
  const name = details?.name?.trim();
  const address = details?.address;
  if (!version || !name || !address) return undefined;
  const text = (value: string | null | undefined) => (value?.trim() ? value.trim() : undefined);
  const declaration = safeParse(GiftAidDeclaration, {
    version,
    declaredAt: at.toISOString(),
    name,
    address: { line1: text(address.line1), line2: text(address.line2), city: text(address.city), postalCode: text(address.postal_code), country: text(address.country) },
  });
  return declaration.success ? declaration.data : undefined;
};

const CheckoutSessionObject = /* @__PURE__ */ onFirstUse(() => z.object({
  id: z.string(),
  mode: z.string(),
  metadata: ObjectMetadata,
  subscription: IdRef,
  payment_intent: IdRef,
  payment_status: z.string(),
  amount_total: z.nullish(Amount()),
  currency: z.nullish(CurrencyCode),
  customer_details: z.nullish(z.object({ email: z.nullish(z.string()), name: z.nullish(z.string()), address: z.nullish(StripeAddress) })),
  customer_email: z.nullish(z.string()),
}));

/** The invoice in an `invoice.paid` event: only its id is read (the invoice is fetched), its amount checked. */
const InvoiceEventObject = /* @__PURE__ */ onFirstUse(() => z.object({ id: z.string(), amount_paid: z.optional(Amount()) }));

/** The invoice as fetched, with its payments expanded. */
const InvoiceRecord = /* @__PURE__ */ onFirstUse(() => z.object({
  id: z.string(),
  amount_paid: Amount(),
  currency: CurrencyCode,
  customer: IdRef,
  customer_email: z.nullish(z.string()),
  customer_name: z.nullish(z.string()),
  billing_reason: z.nullish(z.string()),
  parent: z.nullish(z.object({ subscription_details: z.nullish(z.object({ subscription: IdRef, metadata: ObjectMetadata })) })),
  payments: z.optional(z.object({ data: z.array(z.object({ status: z.nullish(z.string()), payment: z.object({ payment_intent: z.optional(IdRef) }) })) })),
}));

/** A customer as fetched: its address, or `deleted` when it is gone. */
const CustomerRecord = /* @__PURE__ */ onFirstUse(() => z.object({ email: z.nullish(z.string()), deleted: z.optional(z.boolean()) }));

/** The envelope of every event: what is read before its type is known. */
export const EventEnvelope = /* @__PURE__ */ onFirstUse(() => z.object({
  id: z.string(),
  type: z.string(),
  livemode: z.boolean(),
  created: Timestamp(),
  data: z.object({ object: z.unknown() }),
}));

/** An event's id and type, where they are text, for the log line of an event whose envelope is malformed. */
const EventLabel = /* @__PURE__ */ onFirstUse(() => z.catch(
  z.object({ id: z.catch(z.optional(z.string()), undefined), type: z.catch(z.optional(z.string()), undefined) }),
  {},
));

/** An event we acknowledge and ignore, with what was wrong (field paths and zod's wording: never a value). */
export type Ignored = Extract<PaymentEvent, { kind: 'ignored' }> & { problems?: string[] };

const problemsOf = (error: z.core.$ZodError) => error.issues.map((issue) => `${issue.path.join('.') || '(object)'}: ${issue.message}`);

/**
 * Parses what an event carries. A signed event is Stripe's, but its object may still not be what we were built for
 * (another API version, a bug on either side): it is acknowledged and ignored, its problems logged, rather than
 * answered 5xx, which Stripe would retry for three days to the same effect.
 */
export const readObject = <T>(schema: z.ZodMiniType<T>, value: unknown): { object: T } | Ignored => {
  const parsed = safeParse(schema, value);
  return parsed.success ? { object: parsed.data } : { kind: 'ignored', reason: 'malformed object', problems: problemsOf(parsed.error) };
};

/**
 * The donor's address as Stripe has it (typed by the donor at Checkout), in the canonical form that readers'
 * addresses take; one we could not mail is dropped, and the gift is counted without a donor address.
 */
export const donorEmail = (raw: string | null | undefined) => parseEmailAddress(raw ?? undefined);

/** Stripe's answers that no retry changes: no such object (404), or not ours to read (permission, 403). */
const unretrievable = (error: unknown) =>
  error instanceof Stripe.errors.StripePermissionError ||
  (error instanceof Stripe.errors.StripeInvalidRequestError && (error.statusCode === 404 || error.code === 'resource_missing'));

/**
 * Verifies a webhook (the raw body, as Stripe signed it) and translates the event into what it means for a gift.
 * Events of the other mode (test vs live) and types we do not use are ignored, not errors, and never silently:
 * each is logged as `ignored stripe event` with its `reason` (a metric filter counts them by reason).
 */
export class StripePaymentEvents implements PaymentEvents {
  /** `livemode`: the mode of our key (see isLiveKey); events of the other mode are acknowledged and ignored. */
  constructor(
    private readonly stripe: Stripe,
    private readonly webhookSecret: string,
    private readonly livemode: boolean,
  ) {}

  /** Reads events in the mode of `secretKey`, the key this deployment calls Stripe with. */
  static forKey(stripe: Stripe, webhookSecret: string, secretKey: string) {
    return new StripePaymentEvents(stripe, webhookSecret, isLiveKey(secretKey));
  }

  async read(rawBody: string, signature: string | undefined): Promise<PaymentEvent> {
    if (!signature) throw new InvalidSignatureError('The Stripe-Signature header is missing.');
    let verified: unknown;
    try {
      verified = this.stripe.webhooks.constructEvent(rawBody, signature, this.webhookSecret);
    } catch (cause) {
      throw new InvalidSignatureError('The webhook signature is not valid or too old.', { cause });
    }
    const envelope = safeParse(EventEnvelope, verified);
    const meaning: PaymentEvent | Ignored = envelope.success
      ? await this.translate(envelope.data)
      : { kind: 'ignored', reason: 'malformed object', problems: problemsOf(envelope.error) };
    if (meaning.kind !== 'ignored') return meaning;
    const { problems, ...ignored }: Ignored = meaning;
    const event = envelope.success ? envelope.data : parse(EventLabel, verified);
    const fields = {
      reason: ignored.reason,
      eventId: event.id,
      type: event.type,
      ...(envelope.success ? { livemode: envelope.data.livemode } : {}),
      ignoredEvents: 1,
      ...(problems ? { problems } : {}),
    };
    // An event of the other mode at our endpoint means a misconfigured endpoint or key: someone should look.
    // So does an invoice Stripe will not give us, and an object not of the shape we were built for.
    if (ignored.reason === 'other mode' || ignored.reason === 'invoice not retrievable' || problems) logger.warn('ignored stripe event', fields);
    else logger.info('ignored stripe event', fields);
    return ignored;
  }

  /** A customer's address as Stripe has it now; none for a customer that is gone, or one we could not mail. */
  private async customerEmail(customer: string | undefined) {
    if (!customer) return undefined;
    const fetched = await this.stripe.customers.retrieve(customer).catch((error: unknown) => (unretrievable(error) ? undefined : translate(error)));
    const read = safeParse(CustomerRecord, fetched);
    return read.success && !read.data.deleted ? donorEmail(read.data.email) : undefined;
  }

  private async translate(event: z.infer<typeof EventEnvelope>): Promise<PaymentEvent | Ignored> {
    if (event.livemode !== this.livemode) return { kind: 'ignored', reason: 'other mode' };
    const at = new Date(event.created * 1000);
    const type = event.type;
    if (!isHandledStripeEvent(type)) return { kind: 'ignored', reason: `type ${type}` };
    switch (type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
      case 'checkout.session.async_payment_failed': {
        const read = readObject(CheckoutSessionObject, event.data.object);
        if (!('object' in read)) return read;
        const session = read.object;
        const meta = session.metadata ?? parse(Metadata, {});
        if (session.mode === 'subscription') {
          // Each month, first included, is counted from its invoice.paid; the session only starts the gift (and
          // keeps its Gift Aid declaration, which covers every month).
          const subscription = idOf(session.subscription);
          if (!subscription) return { kind: 'ignored', reason: 'subscription session without subscription' };
          const giftAid = meta.gift_aid ? declarationOf(meta.gift_aid, session.customer_details, at) : undefined;
          return { kind: 'subscription', subscription, status: 'active', campaign: meta.campaign, at, ...(giftAid ? { giftAid } : {}) };
        }
        const key = idOf(session.payment_intent);
        if (!key || session.amount_total == null || !session.currency) return { kind: 'ignored', reason: 'session without payment' };
        const status =
          event.type === 'checkout.session.async_payment_failed'
            ? 'failed'
            : event.type === 'checkout.session.async_payment_succeeded' || session.payment_status === 'paid'
              ? 'paid'
              : 'processing';
        return {
          kind: 'payment',
          key,
          status,
          campaign: meta.campaign,
          frequency: 'once',
          amount: session.amount_total,
          currency: session.currency,
          email: donorEmail(session.customer_details?.email ?? session.customer_email),
          name: session.customer_details?.name ?? undefined,
          subscribe: meta.subscribe === 'true',
          offersSignup: true,
          lang: meta.lang,
          ...giftDetailsOf(meta, session.amount_total),
          checkoutSession: session.id,
          at,
          attribution: attributionFromMetadata(meta),
          ...(meta.gift_aid ? { giftAid: declarationOf(meta.gift_aid, session.customer_details, at) } : {}),
        };
      }
      case 'invoice.paid': {
        // The invoice's payments are not in the event: fetch the invoice to learn its payment intent. One Stripe
        // will not give us (gone, or not ours to read) will not appear on a retry either: answering 5xx would only
        // bring days of redeliveries, so it is acknowledged, logged and counted as ignored. Outages still retry.
        const sent = readObject(InvoiceEventObject, event.data.object);
        if (!('object' in sent)) return sent;
        const fetched = await this.stripe.invoices
          .retrieve(sent.object.id, { expand: ['payments'] })
          .catch((error: unknown) => (unretrievable(error) ? undefined : translate(error)));
        if (!fetched) return { kind: 'ignored', reason: 'invoice not retrievable' };
        const read = readObject(InvoiceRecord, fetched);
        if (!('object' in read)) return read;
        const invoice = read.object;
        const details = invoice.parent?.subscription_details;
        const subscription = idOf(details?.subscription);
        const payment = invoice.payments?.data.find((p) => p.status === 'paid') ?? invoice.payments?.data[0];
        const key = idOf(payment?.payment.payment_intent);
        if (!subscription || !key) return { kind: 'ignored', reason: 'invoice without subscription or payment' };
        const meta = details?.metadata ?? parse(Metadata, {});
        return {
          kind: 'payment',
          key,
          status: 'paid',
          campaign: meta.campaign,
          frequency: 'monthly',
          amount: invoice.amount_paid,
          currency: invoice.currency,
          email: donorEmail(invoice.customer_email),
          name: invoice.customer_name ?? undefined,
          subscribe: meta.subscribe === 'true',
          offersSignup: invoice.billing_reason === 'subscription_create',
          lang: meta.lang,
          ...giftDetailsOf(meta, invoice.amount_paid),
          invoice: invoice.id,
          subscription,
          customer: idOf(invoice.customer),
          at,
          attribution: attributionFromMetadata(meta),
          ...(meta.gift_aid ? { monthlyGiftAid: true } : {}),
        };
      }
      default:
        // What happens to a gift after it is made (refunds, disputes, a monthly gift's end, a failed renewal): far
        // rarer than the gifts themselves, so its code loads with the first such event, not at cold start.
        return (await laterEvents()).translateLaterEvent(type, event, at, (customer) => this.customerEmail(customer));
    }
  }
}
