import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/support/global-setup.ts'],
    // Each file runs in its own process: its dev servers, stand-ins and module state (logger, SDK) stay its own.
    pool: 'forks',
    isolate: true,
    testTimeout: 30_000,
    hookTimeout: 90_000,
    env: { LOG_LEVEL: 'SILENT', NODE_NO_WARNINGS: '1' },
  },
});
