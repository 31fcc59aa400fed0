import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations("./schema/migrations");
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: "./wrangler.toml" },
              miniflare: {
                bindings: { API_TOKEN: "test-token", TEST_MIGRATIONS: migrations },
              },
            }),
          ],
          test: {
            name: "workers",
            include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
            setupFiles: ["./test/integration/apply-migrations.ts"],
            // Tests assert on work done (rows, calls, scores), never on time. These budgets only stop a hung
            // test: vitest's 5 s default failed tests doing real work (50 concurrent writes, property runs, a
            // migrated database per test) on a loaded 2-core machine.
            testTimeout: 120_000,
            hookTimeout: 120_000,
          },
        },
        // Node-side tooling (the scale bench's harness) runs in Node, outside the workers pool.
        { test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node" } },
      ],
    },
  };
});
