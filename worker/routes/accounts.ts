import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { ApiError } from "../lib/errors";
import { siteFromPath } from "../lib/site-param";
import { validate } from "../lib/validate";
import { accountsPage } from "../store/account-rollups";

/** GET /api/sites/:site/accounts query. */
export const accountsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  /** nextCursor of the previous page: the same roll-up, further down. */
  cursor: z.string().max(600).optional(),
});

const readCursor = (raw: string) =>
  decodeCursor(raw, ([date, score, account]) =>
    typeof date === "string" && typeof score === "number" && typeof account === "string" ? { date, score, account } : undefined,
  );

/**
 * GET /api/sites/:site/accounts: leads rolled up by company (the company trait, or a work email's domain)
 * as the latest daily run stored them, best first, a page at a time. Before a site's first daily run the
 * answer is empty with stored: false.
 */
export const accountsRoutes = new Hono<AppEnv>().get("/", requireScope("read"), validate("query", accountsQuery), async (c) => {
  const site = await siteFromPath(c);
  const { limit, cursor } = c.req.valid("query");
  const after = cursor === undefined ? undefined : readCursor(cursor);
  const page = await accountsPage(c.var.db, site.id, limit, after);
  if (after && !page.rollup) throw new ApiError("not_found", `the roll-up of ${after.date} was replaced by a newer one; start again without a cursor`);
  return c.json({
    site: site.id,
    stored: page.rollup !== null,
    date: page.rollup?.date ?? null,
    asOf: page.rollup ? new Date(page.rollup.asOf).toISOString() : null,
    total: page.rollup?.total ?? 0,
    accounts: page.accounts,
    nextCursor: page.next ? encodeCursor([page.next.date, page.next.score, page.next.account]) : null,
  });
});
