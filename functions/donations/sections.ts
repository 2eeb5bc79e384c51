/**
 * What the donations function loads on first use, in one module: the routes a browser follows from a link (the
 * donate link's chooser, the manage link, the giving statement, Gift Aid cancellation, the thank-you page) with
 * their pages and use cases, the stores only they read, what they ask of Stripe besides a checkout, and the allocation of an experiment that follows its
 * results (Thompson sampling: its statistics and counters). Checkout from the embed and the banner's progress of
 * any other campaign, the hot routes, never load it. One dynamic import rather than one per module: each splits the
 * bundle where it meets the code the cold start needs, and more small files cost a cold start more
 * (infra/bundling.ts).
 */
export { DynamoDonorGifts } from '../adapters/dynamo-donor-gifts.js';
export { DynamoEventCounters } from '../adapters/dynamo-event-counters.js';
export { DynamoVariantGiftCounters } from '../adapters/dynamo-experiment-results.js';
export { DynamoGiftAidCancellations } from '../adapters/dynamo-gift-aid.js';
export { StripePayments } from '../adapters/stripe-payments.js';
export { servedVariants } from '../core/experiments/results.js';
export { linkRoutes } from './link-routes.js';
