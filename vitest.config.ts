import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['apps/*/test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['packages/dev-postgres/src/testing/global-setup.ts'],
    // Tests read no .env (see docs/configuration.md): a run is the same on every machine.
    env: { ENV_FILE: '' },
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
