import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts', 'tests/fuzz/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 600_000,
    // Two cores: keep parallelism modest so the generated-model setup steps don't starve each other.
    maxWorkers: 2,
  },
});
