/**
 * What the donations function loads on first use, in one module: the routes a browser follows from a link (the
 * donate link's chooser, the manage link, the giving statement, Gift Aid cancellation, the thank-you page) with
 * their pages and use cases, and the stores only they read. The banner's progress and checkout from the embed, the
 * hot routes, never load it. One dynamic import rather than one per module: each splits the bundle where it meets
 * the code the cold start needs, and more small files cost a cold start more (infra/bundling.ts).
 */

export { DynamoDonorGifts } from '../adapters/dynamo-donor-gifts.js';
export { DynamoGiftAidCancellations } from '../adapters/dynamo-gift-aid.js';
export { linkRoutes } from './link-routes.js';
