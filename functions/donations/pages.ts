/**
 * The pages the donations function answers with, in one module loaded with the first request that shows one (a
 * checkout from the embed, JSON, never does). One dynamic import rather than one per module: each splits the bundle
 * where it meets the code the cold start needs, and more small files cost a cold start more (infra/bundling.ts).
 */
export * from '../core/donations/pages.js';
export { statementPage } from '../core/donors/pages.js';
