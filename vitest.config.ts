import { defineConfig } from 'vitest/config';

/**
 * Four projects, one per kind of test. Only the unit project runs without Java and a browser: the others share
 * one DynamoDB Local for the whole run (tests/support/global-setup.ts), and e2e drives Debian's Chromium.
 *   npm run test:unit     unit only (no Java, no browser)
 *   npm test              everything
 */
const withDynamoDb = { globalSetup: ['tests/support/global-setup.ts'] };

export default defineConfig({
  test: {
    // Each file runs in its own process: its dev servers, stand-ins and module state (logger, SDK) stay its own.
    pool: 'forks',
    isolate: true,
    // Two files at a time even on two cores (vitest's default there is one): most of a browser or dev-server test is
    // waiting on another process (Chromium, DynamoDB Local, a stand-in), so two overlap well.
    maxWorkers: 2,
    // Generous: a test asserts behaviour, never speed (benchmarks do that), and on a loaded 2-core machine a test
    // whose dev server, DynamoDB Local and Chromium share the cores with another file's runs several times slower
    // than alone (150 simultaneous gifts on one campaign: 3 s alone, over 30 s beside the browser tests).
    testTimeout: 90_000,
    hookTimeout: 90_000,
    env: { LOG_LEVEL: 'SILENT', NODE_NO_WARNINGS: '1' },
    projects: [
      { extends: true, test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] } },
      { extends: true, test: { name: 'integration', include: ['tests/integration/**/*.test.ts'], ...withDynamoDb } },
      { extends: true, test: { name: 'infra', include: ['tests/infra/**/*.test.ts'], ...withDynamoDb } },
      { extends: true, test: { name: 'e2e', include: ['tests/e2e/**/*.test.ts'], ...withDynamoDb } },
    ],
  },
});
