import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Native counting already uses both cores through the worker pool; running
    // test files two at a time keeps the suite from oversubscribing the machine.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
