import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError, storageUnavailable } from "../lib/errors";
import { sha256Hex } from "../lib/hash";
import { siteFromPath } from "../lib/site-param";
import { clientId } from "../ingest/ids";
import { eraseVisitors } from "../store/erasure";
import { leadGroup } from "../store/leads";
import { findVisitor } from "../store/visitor-reads";

/**
 * DELETE /api/sites/:site/visitors/:id: erases everything stored about a visitor and stops tracking the id.
 * A visitor that is one lead with others (the same email) is one person: all of the lead's visitor ids go.
 * Idempotent: erasing an id again (or one never seen) answers 200 with zero counts and keeps the tombstone.
 */
export const erasureRoutes = new Hono<AppEnv>().delete("/:id", requireScope("admin"), async (c) => {
  const site = await siteFromPath(c);
  const id = c.req.param("id");
  if (!clientId.safeParse(id).success) throw new ApiError("bad_request", "invalid visitor id");
  let erased;
  let ids: string[];
  try {
    const found = await findVisitor(c.var.db, site.id, id);
    const group = found ? await leadGroup(c.var.db, site.id, found.leadId ?? found.id) : [];
    ids = [...new Set([id, ...group.map((v) => v.id)])];
    erased = await eraseVisitors(c.var.db, site.id, await Promise.all(ids.map(async (v) => ({ id: v, hash: await sha256Hex(v) }))), Date.now());
  } catch (err) {
    // One atomic batch: a failure leaves everything as it was, and repeating the request is safe.
    throw storageUnavailable(err);
  }
  return c.json({ site: site.id, visitor: id, visitorIds: ids.sort(), erased });
});
