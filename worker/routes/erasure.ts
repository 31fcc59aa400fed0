import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError, storageUnavailable } from "../lib/errors";
import { siteFromPath } from "../lib/site-param";
import { clientId } from "../ingest/ids";
import { eraseLead } from "../ingest/erase-lead";

/**
 * DELETE /api/sites/:site/visitors/:id: erases everything stored about a visitor and stops tracking the id.
 * A visitor that is one lead with others (the same email) is one person: all of the lead's visitor ids go.
 * Idempotent: erasing an id again (or one never seen) answers 200 with zero counts and keeps the tombstone.
 */
export const erasureRoutes = new Hono<AppEnv>().delete("/:id", requireScope("admin"), async (c) => {
  const site = await siteFromPath(c);
  const id = c.req.param("id");
  if (!clientId.safeParse(id).success) throw new ApiError("bad_request", "invalid visitor id");
  let result;
  try {
    result = await eraseLead(c.var.db, site.id, id, Date.now());
  } catch (err) {
    // One atomic batch: a failure leaves everything as it was, and repeating the request is safe.
    throw storageUnavailable(err);
  }
  return c.json({ site: site.id, visitor: id, visitorIds: result.visitorIds, erased: result.erased });
});
