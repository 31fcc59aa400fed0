import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// The D1 benchmarks run inside workerd, like the integration tests, so D1 reports real row counts.
export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: { bindings: { API_TOKEN: "test-token", TEST_MIGRATIONS: await readD1Migrations("./schema/migrations") } },
    }),
  ],
  test: {
    root: ".",
    include: ["test/bench/**/*.bench.test.ts"],
    setupFiles: ["./test/integration/apply-migrations.ts"],
    testTimeout: 120_000,
  },
}));
