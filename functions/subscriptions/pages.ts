/**
 * The pages the subscriptions function answers with (the signup's and the reminders'), in one module loaded with
 * the first request that shows one (a signup from the embed, JSON, never does). One dynamic import rather than one
 * per module: each splits the bundle where it meets the code the cold start needs, and more small files cost a
 * cold start more (infra/bundling.ts).
 */
export * from '../core/subscriptions/pages.js';
export { reminderScheduledPage, remindersCancelledPage, reminderUnsubscribePromptPage } from '../core/donors/pages.js';
