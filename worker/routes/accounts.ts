import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { siteFromPath } from "../lib/site-param";
import { validate } from "../lib/validate";
import { accountScores } from "../scoring/accounts";
import { findRuleSet } from "../store/rules";
import { allVisitors } from "../store/visitor-reads";

/** GET /api/sites/:site/accounts query. */
export const accountsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/** GET /api/sites/:site/accounts: leads rolled up by company (the company trait, or a work email's domain). */
export const accountsRoutes = new Hono<AppEnv>().get("/", requireScope("read"), validate("query", accountsQuery), async (c) => {
  const site = await siteFromPath(c);
  const { limit } = c.req.valid("query");
  const [set, leads] = await Promise.all([findRuleSet(c.var.db, site.id, site.rulesVersion), allVisitors(c.var.db, site.id)]);
  if (!set) throw new ApiError("not_found", `site "${site.id}" has no rules`);
  const accounts = accountScores(leads, set.rules, Date.now());
  return c.json({ site: site.id, accounts: accounts.slice(0, limit), total: accounts.length });
});
