import { type GiftDeps, recordPaymentEvent } from '../core/donations/gifts.js';
import type { PaymentEvents } from '../core/donations/ports.js';
import type { Brand } from '../core/shared/brand.js';
import { InvalidSignatureError } from '../core/shared/errors.js';
import { httpHandler } from '../platform/http/handler.js';
import { checkBody } from '../platform/http/request.js';
import { json } from '../platform/http/responses.js';
import { logger } from '../platform/logger.js';

// Stripe's events (an invoice with its lines) often exceed the contract's 16 KiB for reader-facing routes;
// this route is authenticated by its signature, so it takes what Stripe sends.
const MAX_WEBHOOK_BYTES = 512 * 1024;

export interface WebhookDeps {
  gifts: GiftDeps;
  /** Verifies and reads a delivery. */
  events: PaymentEvents;
}

/** `POST /v1/stripe/webhook`: verify, record once, 200; a bad signature 400; a storage failure 5xx (Stripe retries). */
export const makeHandler = ({ gifts, events }: WebhookDeps, { siteName, brand }: { siteName: string; brand?: Brand | undefined }) =>
  httpHandler(
    {
      'POST /v1/stripe/webhook': async (req) => {
        checkBody(req, ['application/json'], MAX_WEBHOOK_BYTES);
        const signature = req.headers['stripe-signature'];
        const event = await events.read(req.rawBody, signature).catch((error: unknown) => {
          // A wrong webhook secret answers every event 400: a signed delivery refused feeds an alarm (infra/log-metrics.ts).
          if (error instanceof InvalidSignatureError) logger.warn('stripe signature rejected', { signed: signature !== undefined, requestId: req.requestId });
          throw error;
        });
        const { outcome, unassigned } = await recordPaymentEvent(gifts, event);
        if (event.kind === 'payment' && event.status === 'paid') logger.info('gift paid', { frequency: event.frequency, requestId: req.requestId });
        // Money taken that no campaign counts: once per gift, for the alarm (infra/log-metrics.ts) and the runbook.
        if (unassigned) logger.warn('gift unassigned', { ...unassigned, unassignedGifts: 1, requestId: req.requestId });
        logger.info('stripe event handled', { kind: event.kind, outcome, requestId: req.requestId });
        return json(200, { received: true });
      },
    },
    { siteName, brand },
  );
