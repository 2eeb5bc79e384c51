/**
 * What the subscriptions function loads on first use, in one module: the pages (the signup's and the reminders',
 * and what a form without JavaScript typed, to show it again), the "remind me later" routes with their store, and
 * the multipart parser; and what a posted link writes (the confirm and unsubscribe use cases, the subscriber store
 * with its counters and transactions, the suppression marker's removal). The signup, the function's main route,
 * needs none of it, so a container serving signups never reads it. One dynamic import rather than one per module: each splits the bundle
 * where it meets the code the cold start needs, and more small files cost a cold start more (infra/bundling.ts).
 */
export * from '../core/subscriptions/pages.js';
export { reminderScheduledPage, remindersCancelledPage, reminderUnsubscribePromptPage } from '../core/donors/pages.js';
export { reminderRoutes } from './reminder-routes.js';
export { DynamoReminders } from '../adapters/dynamo-reminders.js';
export { parseMultipart } from '../platform/http/multipart.js';
export { typedValues } from './form-values.js';
export { confirmSubscription, unsubscribe } from '../core/subscriptions/links.js';
export { DynamoSubscriberRepository } from '../adapters/dynamo-subscriber-repository.js';
export { DynamoSuppressionRemover } from '../adapters/dynamo-suppressions.js';
