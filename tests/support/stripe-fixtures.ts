import { readFileSync } from 'node:fs';

/** Stripe's published example object of every resource (../shared/stripe/fixtures3.json), by resource name. */
export const stripeFixtures = <T = Record<string, unknown>>(): Record<string, T> =>
  (JSON.parse(readFileSync(new URL('../../../shared/stripe/fixtures3.json', import.meta.url), 'utf8')) as { resources: Record<string, T> }).resources;
