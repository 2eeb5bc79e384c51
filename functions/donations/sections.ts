/**
 * What the donations function loads on first use, in one module: its pages (a checkout from the embed, JSON, never
 * shows one), the donate link's chooser, and the rare links' use cases and stores (the manage link, the giving
 * statement, Gift Aid cancellation, the thank-you page). The banner's progress and checkout, the hot routes, never
 * load it. One dynamic import rather than one per module: each splits the bundle where it meets the code the cold
 * start needs, and more small files cost a cold start more (infra/bundling.ts).
 */
export * from '../core/donations/pages.js';
export { statementPage } from '../core/donors/pages.js';
export { checkDonateLink, DonateAttributionQuery, DonateQuery, followDonateLink, hasAmount } from '../core/donations/donate-link.js';
export { describeGift } from '../core/donations/thanks.js';
export { cancelGiftAid, GiftAidQuery, readGiftAidToken } from '../core/donations/gift-aid-cancel.js';
export { ManageQuery, openDonorPortal } from '../core/donations/manage.js';
export { readManageToken } from '../core/shared/secrets.js';
export { addressKey } from '../core/shared/email-address.js';
export { StatementQuery, statementOf } from '../core/donors/statements.js';
export { DynamoDonorGifts } from '../adapters/dynamo-donor-gifts.js';
export { DynamoGiftAidCancellations } from '../adapters/dynamo-gift-aid.js';
