/**
 * Every function's configuration schema, for the CDK stack (typed `environment`), the dev server and the tests.
 * A function's entry imports its own config.ts instead, so that it bundles no other function's schema.
 */
export * from './platform/config.js';
export * from './platform/subscriber-config.js';
export * from './subscriptions/config.js';
export * from './signup-and-mail/config.js';
export * from './donations/config.js';
export * from './stripe-webhook/config.js';
export * from './export-worker/config.js';
export * from './admin/config.js';
export * from './ses-events/config.js';
export * from './fallback/config.js';
export * from './events/config.js';
export * from './event-counter/config.js';
export * from './console/config.js';
export * from './reminders/config.js';
export * from './webhook-events/config.js';
export * from './webhook-delivery/config.js';
export * from './webhooks/config.js';
