import { applyD1Migrations, reset } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach } from "vitest";
import { clearIsolateCaches } from "../../worker/store/isolate-cache";

// Every test starts from an empty, migrated database.
beforeEach(async () => {
  await reset();
  // The worker runs in this isolate: what it cached about the last test's sites and visitors goes too.
  clearIsolateCaches();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
});
