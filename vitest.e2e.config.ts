import { defineConfig } from "vitest/config";

// End-to-end tests: real Chromium against the real collector under `wrangler dev` (Node, not the workers pool).
export default defineConfig({
  test: {
    include: ["test/e2e/**/*.test.ts"],
    environment: "node",
    globalSetup: ["test/e2e/global-setup.ts"],
    // One browser and one collector at a time: the machine has two cores.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
