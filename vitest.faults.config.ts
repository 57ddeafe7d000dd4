import { defineConfig } from 'vitest/config';

// Fault-injection suite: spawns the CLI and hits it with signals, truncated and
// changing files, FIFOs, hostile names and huge file counts. One file at a time:
// several tests measure how fast a run stops, which a loaded machine distorts.
export default defineConfig({
  test: {
    include: ['test/faults/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    maxWorkers: 1,
    fileParallelism: false,
    reporters: ['default'],
  },
});
