import { applyD1Migrations, reset } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { beforeEach } from "vitest";
import { clearIsolateCaches } from "../../worker/store/isolate-cache";
import { captureQueue } from "../support/jobs";

// Every test starts from an empty, migrated database, and with the JOBS queue held in the test: nothing a
// test enqueues runs unless it drains the queue itself (see support/jobs.ts), so no background message
// can touch the next test's database.
beforeEach(async () => {
  await reset();
  // The worker runs in this isolate: what it cached about the last test's sites and visitors goes too.
  clearIsolateCaches();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
  captureQueue();
});
