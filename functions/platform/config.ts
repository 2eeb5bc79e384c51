/**
 * Every function's configuration schema, for the CDK stack (typed `environment`), the dev server and the tests.
 * A function's entry imports its own module under env/ instead, so that it bundles no other function's schema.
 */
export * from './env/shared.js';
export * from './env/subscribers.js';
export * from './env/subscriptions.js';
export * from './env/signup-and-mail.js';
export * from './env/donations.js';
export * from './env/stripe-webhook.js';
export * from './env/export-worker.js';
export * from './env/admin.js';
export * from './env/ses-events.js';
export * from './env/fallback.js';
