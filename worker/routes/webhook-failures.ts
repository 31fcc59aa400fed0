import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { siteFromPath } from "../lib/site-param";
import { validate } from "../lib/validate";
import { recentWebhookFailures } from "../store/webhook-failures";

/** GET /api/sites/:site/webhook-failures query. */
export const webhookFailuresQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/** GET /api/sites/:site/webhook-failures: prospect notices the webhook never took, newest first. */
export const webhookFailuresRoutes = new Hono<AppEnv>().get("/", requireScope("read"), validate("query", webhookFailuresQuery), async (c) => {
  const site = await siteFromPath(c);
  const rows = await recentWebhookFailures(c.var.db, site.id, c.req.valid("query").limit);
  return c.json({
    site: site.id,
    failures: rows.map((r) => ({
      delivery: r.id,
      visitorId: r.visitorId,
      attempts: r.attempts,
      lastError: r.lastError,
      failedAt: new Date(r.failedAt).toISOString(),
      notice: r.notice,
    })),
  });
});
