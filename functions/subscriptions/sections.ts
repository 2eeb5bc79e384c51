/**
 * What the subscriptions function loads on first use, in one module: the pages (the signup's and the reminders',
 * and what a form without JavaScript typed, to show it again), the "remind me later" routes with their store, and
 * the multipart parser. The signup, confirm and unsubscribe routes answering JSON or a redirect need none of it, so
 * a container serving them never reads it. One dynamic import rather than one per module: each splits the bundle
 * where it meets the code the cold start needs, and more small files cost a cold start more (infra/bundling.ts).
 */
export * from '../core/subscriptions/pages.js';
export { reminderScheduledPage, remindersCancelledPage, reminderUnsubscribePromptPage } from '../core/donors/pages.js';
export { reminderRoutes } from './reminder-routes.js';
export { DynamoReminders } from '../adapters/dynamo-reminders.js';
export { parseMultipart } from '../platform/http/multipart.js';
export { typedValues } from './form-values.js';
