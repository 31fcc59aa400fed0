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
          },
        },
        // Node-side tooling (the scale bench's harness) runs in Node, outside the workers pool.
        { test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node" } },
      ],
    },
  };
});
