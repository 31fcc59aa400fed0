import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";

// Setup files run outside per-test storage isolation, so the schema is applied once and every test
// starts from it.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
