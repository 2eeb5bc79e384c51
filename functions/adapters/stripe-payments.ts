import Stripe from 'stripe';
import * as z from 'zod/mini';
import { parse, safeParse } from '../core/shared/schema.js';
import { CurrencyCode, Frequency, type PaymentEvent } from '../core/donations/model.js';
import { parseEmailAddress } from '../core/shared/email-address.js';
import { InvalidSignatureError, NotFoundError, TransientError } from '../core/shared/errors.js';
import { LANGUAGES, type Language } from '../core/shared/i18n/index.js';
import { messagesOf } from '../core/shared/i18n/catalogue.js';
import { fill } from '../core/shared/i18n/format.js';
import type { CheckoutParams, PaymentEvents, Payments } from '../core/donations/ports.js';
import { logger } from '../platform/logger.js';

export interface StripeOptions {
  secretKey: string;
  /** Only to reach a stand-in (the dev server's simulator); production talks to api.stripe.com. */
  apiUrl?: string | undefined;
}

export const stripeClient = (options: StripeOptions) => {
  const url = options.apiUrl ? new URL(options.apiUrl) : undefined;
  return new Stripe(options.secretKey, {
    maxNetworkRetries: 2,
    timeout: 8000,
    telemetry: false,
    ...(url ? { host: url.hostname, port: url.port, protocol: url.protocol === 'http:' ? 'http' : 'https' } : {}),
  });
};

/** Our metadata on every session, subscription and payment: all strings, as Stripe stores them. */
const Metadata = z.object({
  campaign: z.optional(z.string()),
  frequency: z.catch(Frequency, 'once'),
  subscribe: z.catch(z.enum(['true', 'false']), 'false'),
  /** The donor's language, one of ours; anything else (a session our checkout did not make) is no language. */
  lang: z.catch(z.optional(z.enum(LANGUAGES)), undefined),
});

// What the webhook reads of each Stripe object, checked before use: the `stripe` package's types of the fields we
// rely on (the rest is not read), money as whole minor units that are never negative.

/** An id Stripe gives as a string, or as the object when expanded; null when there is none. */
const IdRef = z.nullish(z.union([z.string(), z.object({ id: z.string() })]));
/** Money in minor units, as Stripe's API types it: a whole number, never negative. */
const Amount = () => z.int().check(z.gte(0));
/** Seconds since the epoch. */
const Timestamp = () => z.int().check(z.gte(0));
const ObjectMetadata = z.nullish(Metadata);

const CheckoutSessionObject = z.object({
  id: z.string(),
  mode: z.string(),
  metadata: ObjectMetadata,
  subscription: IdRef,
  payment_intent: IdRef,
  payment_status: z.string(),
  amount_total: z.nullish(Amount()),
  currency: z.nullish(CurrencyCode),
  customer_details: z.nullish(z.object({ email: z.nullish(z.string()), name: z.nullish(z.string()) })),
  customer_email: z.nullish(z.string()),
});

/** The invoice in an `invoice.paid` event: only its id is read (the invoice is fetched), its amount checked. */
const InvoiceEventObject = z.object({ id: z.string(), amount_paid: z.optional(Amount()) });

/** The invoice as fetched, with its payments expanded. */
const InvoiceRecord = z.object({
  id: z.string(),
  amount_paid: Amount(),
  currency: CurrencyCode,
  customer: IdRef,
  customer_email: z.nullish(z.string()),
  customer_name: z.nullish(z.string()),
  billing_reason: z.nullish(z.string()),
  parent: z.nullish(z.object({ subscription_details: z.nullish(z.object({ subscription: IdRef, metadata: ObjectMetadata })) })),
  payments: z.optional(z.object({ data: z.array(z.object({ status: z.nullish(z.string()), payment: z.object({ payment_intent: z.optional(IdRef) }) })) })),
});

const RefundObject = z.object({ id: z.string(), amount: Amount(), status: z.nullish(z.string()), payment_intent: IdRef });

const ChargeObject = z.object({
  id: z.string(),
  payment_intent: IdRef,
  amount: z.optional(Amount()),
  amount_refunded: Amount(),
  refunds: z.nullish(z.object({ data: z.array(RefundObject) })),
});

const DisputeObject = z.object({ id: z.string(), payment_intent: IdRef, status: z.string(), amount: z.optional(Amount()) });

const SubscriptionObject = z.object({
  id: z.string(),
  metadata: ObjectMetadata,
  ended_at: z.nullish(Timestamp()),
  canceled_at: z.nullish(Timestamp()),
});

/** The envelope of every event: what is read before its type is known. */
const EventEnvelope = z.object({
  id: z.string(),
  type: z.string(),
  livemode: z.boolean(),
  created: Timestamp(),
  data: z.object({ object: z.unknown() }),
});

/** An event's id and type, where they are text, for the log line of an event whose envelope is malformed. */
const EventLabel = z.catch(
  z.object({ id: z.catch(z.optional(z.string()), undefined), type: z.catch(z.optional(z.string()), undefined) }),
  {},
);

/** An event we acknowledge and ignore, with what was wrong (field paths and zod's wording: never a value). */
type Ignored = Extract<PaymentEvent, { kind: 'ignored' }> & { problems?: string[] };

const problemsOf = (error: z.core.$ZodError) => error.issues.map((issue) => `${issue.path.join('.') || '(object)'}: ${issue.message}`);

/**
 * Parses what an event carries. A signed event is Stripe's, but its object may still not be what we were built for
 * (another API version, a bug on either side): it is acknowledged and ignored, its problems logged, rather than
 * answered 5xx, which Stripe would retry for three days to the same effect.
 */
const readObject = <T>(schema: z.ZodMiniType<T>, value: unknown): { object: T } | Ignored => {
  const parsed = safeParse(schema, value);
  return parsed.success ? { object: parsed.data } : { kind: 'ignored', reason: 'malformed object', problems: problemsOf(parsed.error) };
};

/**
 * Checkout's language for ours: Stripe's own where Checkout has it (Checkout.SessionCreateParams.Locale). English
 * is `auto`: English is also what a reader whose language we do not speak is given, and Checkout speaks far more
 * languages than we do (a German reader gets German). Checkout has no Ukrainian, so a
 * Ukrainian donor gets `auto` too (the browser's language, else English).
 */
const CHECKOUT_LOCALES: Readonly<Record<Language, Stripe.Checkout.SessionCreateParams.Locale>> = { en: 'auto', uk: 'auto', pl: 'pl', es: 'es' };

const retryable = (error: unknown) =>
  error instanceof Stripe.errors.StripeConnectionError ||
  error instanceof Stripe.errors.StripeAPIError ||
  error instanceof Stripe.errors.StripeRateLimitError;

/** Stripe's failures that a retry may fix become TransientError; the message never carries Stripe's text. */
const translate = (error: unknown): never => {
  if (retryable(error)) throw new TransientError('the payment service is unavailable', { cause: error });
  throw error;
};

export class StripePayments implements Payments {
  constructor(private readonly stripe: Stripe) {}

  async createCheckout(params: CheckoutParams, idempotencyKey: string) {
    // The language goes on the session and on what it creates (payment or subscription): the webhook reads it for
    // the receipt and the newsletter opt-in, each month of a monthly gift included.
    const metadata = {
      campaign: params.campaign.id,
      frequency: params.frequency,
      subscribe: String(params.subscribe),
      ...(params.lang ? { lang: params.lang } : {}),
    };
    // The line item's name, on Checkout, the receipt Stripe may send and the Customer Portal, in the donor's language.
    const product = { name: fill(messagesOf(params.lang).donations.lineItem, { campaign: params.campaign.title }) };
    const common = {
      line_items: [
        {
          quantity: 1,
          price_data: {
            currency: params.currency,
            unit_amount: params.amount,
            product_data: product,
            ...(params.mode === 'subscription' ? { recurring: { interval: 'month' as const } } : {}),
          },
        },
      ],
      metadata,
      customer_email: params.email,
      success_url: params.successUrl,
      cancel_url: params.cancelUrl,
      ...(params.lang ? { locale: CHECKOUT_LOCALES[params.lang] } : {}),
      // A campaign counts gifts in its own currency: Checkout must not present the donor another one.
      adaptive_pricing: { enabled: false },
    };
    const session = await this.stripe.checkout.sessions
      .create(
        params.mode === 'payment'
          ? { ...common, mode: 'payment', submit_type: 'donate', payment_intent_data: { metadata } }
          : { ...common, mode: 'subscription', subscription_data: { metadata } },
        { idempotencyKey },
      )
      .catch(translate);
    // A repeated key gets Stripe's frozen first answer ("open" then, perhaps paid since): ask Stripe how the
    // session stands now before sending a donor to it.
    if (session.lastResponse?.headers?.['idempotent-replayed'] === 'true') {
      const current = await this.stripe.checkout.sessions.retrieve(session.id).catch(translate);
      return { id: current.id, url: current.url, open: current.status === 'open' };
    }
    return { id: session.id, url: session.url, open: session.status === 'open' };
  }

  async describeCheckout(sessionId: string) {
    try {
      const session = await this.stripe.checkout.sessions.retrieve(sessionId);
      if (session.amount_total === null || !session.currency) return undefined;
      const meta = parse(Metadata, session.metadata ?? {});
      return {
        complete: session.status === 'complete',
        paid: session.payment_status === 'paid',
        amount: session.amount_total,
        currency: session.currency,
        frequency: session.mode === 'subscription' ? ('monthly' as const) : ('once' as const),
        campaign: meta.campaign,
        customer: idOf(session.customer),
      };
    } catch (error) {
      if (error instanceof Stripe.errors.StripeInvalidRequestError) return undefined; // no such session
      return translate(error);
    }
  }

  async createPortalSession(customer: string, returnUrl: string) {
    try {
      // The portal's features (cancel, change the card) are the account's default portal configuration, set once
      // in Stripe's dashboard; a session is short-lived, so each visit of a manage link makes its own.
      const session = await this.stripe.billingPortal.sessions.create({ customer, return_url: returnUrl });
      return session.url;
    } catch (error) {
      // A customer deleted in the dashboard (or of the other mode): no retry brings it back.
      if (error instanceof Stripe.errors.StripeInvalidRequestError && error.code === 'resource_missing' && error.param === 'customer') {
        throw new NotFoundError('We could not find a monthly gift for this link. It may have been removed.', { cause: error });
      }
      return translate(error);
    }
  }
}

/**
 * The donor's address as Stripe has it (typed by the donor at Checkout), in the canonical form that readers'
 * addresses take; one we could not mail is dropped, and the gift is counted without a donor address.
 */
const donorEmail = (raw: string | null | undefined) => parseEmailAddress(raw ?? undefined);

const idOf = (value: string | { id: string } | null | undefined) => (typeof value === 'string' ? value : value?.id);

/** A refund as we keep it: a failed or canceled one returned no money, and never will (a retry is a new refund). */
const refundReport = (refund: z.infer<typeof RefundObject>) => ({
  id: refund.id,
  amount: refund.amount,
  failed: refund.status === 'failed' || refund.status === 'canceled',
});

/** Stripe's answers that no retry changes: no such object (404), or not ours to read (permission, 403). */
const unretrievable = (error: unknown) =>
  error instanceof Stripe.errors.StripePermissionError ||
  (error instanceof Stripe.errors.StripeInvalidRequestError && (error.statusCode === 404 || error.code === 'resource_missing'));

/**
 * Whether a Stripe API key is a live one. Stripe's keys say their mode in their prefix (`sk_live_`, `rk_live_`;
 * `sk_test_`, `rk_test_`), and a live key only ever sees live events: deriving the mode from the key means a
 * stage deployed with a live key can never mistake its own events for the other mode's.
 */
export const isLiveKey = (secretKey: string) => /^(sk|rk)_live_/.test(secretKey);

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

  private async translate(event: z.infer<typeof EventEnvelope>): Promise<PaymentEvent | Ignored> {
    if (event.livemode !== this.livemode) return { kind: 'ignored', reason: 'other mode' };
    const at = new Date(event.created * 1000);
    switch (event.type) {
      case 'checkout.session.completed':
      case 'checkout.session.async_payment_succeeded':
      case 'checkout.session.async_payment_failed': {
        const read = readObject(CheckoutSessionObject, event.data.object);
        if (!('object' in read)) return read;
        const session = read.object;
        const meta = session.metadata ?? parse(Metadata, {});
        if (session.mode === 'subscription') {
          // Each month, first included, is counted from its invoice.paid; the session only starts the gift.
          const subscription = idOf(session.subscription);
          if (!subscription) return { kind: 'ignored', reason: 'subscription session without subscription' };
          return { kind: 'subscription', subscription, status: 'active', campaign: meta.campaign, at };
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
          checkoutSession: session.id,
          at,
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
          invoice: invoice.id,
          subscription,
          customer: idOf(invoice.customer),
          at,
        };
      }
      case 'charge.refunded': {
        // In the API version the `stripe` package pins, the charge's `refunds` list is not part of the event (it
        // must be expanded). We take what the event has: `amount_refunded`, the cumulative figure at that moment
        // (a lower bound: it counts refunds that may still fail), and each refund in `refunds.data` when present.
        // Which refunds fail comes from the events that carry one refund each (below).
        const read = readObject(ChargeObject, event.data.object);
        if (!('object' in read)) return read;
        const charge = read.object;
        const key = idOf(charge.payment_intent);
        if (!key) return { kind: 'ignored', reason: 'charge without payment intent' };
        return { kind: 'refund', key, refunded: charge.amount_refunded, refunds: (charge.refunds?.data ?? []).map(refundReport), at };
      }
      case 'charge.refund.updated':
      case 'refund.created':
      case 'refund.updated':
      case 'refund.failed': {
        // One refund, with its id and status: a `failed` (or `canceled`) one gives the money back.
        const read = readObject(RefundObject, event.data.object);
        if (!('object' in read)) return read;
        const refund = read.object;
        const key = idOf(refund.payment_intent);
        if (!key) return { kind: 'ignored', reason: 'refund without payment intent' };
        return { kind: 'refund', key, refunds: [refundReport(refund)], at };
      }
      case 'charge.dispute.created':
      case 'charge.dispute.funds_withdrawn':
      case 'charge.dispute.funds_reinstated':
      case 'charge.dispute.closed': {
        const read = readObject(DisputeObject, event.data.object);
        if (!('object' in read)) return read;
        const dispute = read.object;
        const key = idOf(dispute.payment_intent);
        if (!key) return { kind: 'ignored', reason: 'dispute without payment intent' };
        // Closed `won` (or `warning_closed`: an inquiry that never became a chargeback) gives the money back.
        const state =
          event.type === 'charge.dispute.funds_reinstated'
            ? 'won'
            : event.type === 'charge.dispute.closed'
              ? dispute.status === 'lost'
                ? 'lost'
                : 'won'
              : 'open';
        return { kind: 'dispute', key, dispute: dispute.id, state, at };
      }
      case 'customer.subscription.deleted': {
        // The end of a monthly gift (cancelled in the Customer Portal, in the dashboard, or after failed payments):
        // recorded once, at the time Stripe ended it, however often and whenever the event arrives.
        const read = readObject(SubscriptionObject, event.data.object);
        if (!('object' in read)) return read;
        const subscription = read.object;
        const endedAt = subscription.ended_at ?? subscription.canceled_at ?? event.created;
        const campaign = subscription.metadata?.campaign;
        return { kind: 'subscription', subscription: subscription.id, status: 'ended', campaign, at: new Date(endedAt * 1000) };
      }
      default:
        return { kind: 'ignored', reason: `type ${event.type}` };
    }
  }
}
