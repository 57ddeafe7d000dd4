import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Fault injection (signals, truncation, 100k files) runs on its own: npm run test:faults.
    exclude: ['test/faults/**', '**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Native counting already uses both cores through the worker pool; running
    // test files two at a time keeps the suite from oversubscribing the machine.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
