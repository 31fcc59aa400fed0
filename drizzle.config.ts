import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./schema/index.ts",
  // wrangler reads migrations from here (migrations_dir in wrangler.toml) and applies them.
  out: "./schema/migrations",
});
