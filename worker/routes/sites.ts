import { Hono } from "hono";
import { z } from "zod";
import type { SiteRow } from "../../schema";
import { siteId } from "../ingest/ids";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { validate } from "../lib/validate";
import { defaultRules } from "../scoring/default-rules";
import { isTimezone } from "../scoring/local-day";
import { ruleSetSchema } from "../scoring/rules";
import { insertSite, listSites } from "../store/sites";

const origin = z
  .string()
  .max(300)
  .regex(/^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i, "an origin is scheme://host[:port], optionally with *. before the host");

const newSite = z.strictObject({
  id: siteId.optional(),
  name: z.string().min(1).max(200),
  origins: z.array(origin).min(1).max(50),
  visitTimeoutMin: z.number().int().min(1).max(24 * 60).default(30),
  timezone: z.string().max(64).refine(isTimezone, "unknown IANA timezone").default("UTC"),
  listHour: z.number().int().min(0).max(23).default(7),
  /** Days raw events are kept; older ones are purged daily (scores stay). */
  retentionDays: z.number().int().min(1).max(3650).default(395),
  rules: ruleSetSchema.optional(),
});

/** The public shape of a site. */
export function siteJson(site: SiteRow) {
  return {
    id: site.id,
    name: site.name,
    origins: site.origins,
    visitTimeoutMin: site.visitTimeoutMin,
    timezone: site.timezone,
    listHour: site.listHour,
    retentionDays: site.retentionDays,
    rulesVersion: site.rulesVersion,
    createdAt: new Date(site.createdAt).toISOString(),
  };
}

function randomSiteId(): string {
  return `site-${crypto.randomUUID().slice(0, 8)}`;
}

/** POST /api/sites and GET /api/sites. */
export const sitesRoutes = new Hono<AppEnv>()
  .post("/", requireScope("admin"), validate("json", newSite), async (c) => {
    const body = c.req.valid("json");
    const site: SiteRow = {
      id: body.id ?? randomSiteId(),
      name: body.name,
      origins: body.origins.map((o) => o.toLowerCase()),
      visitTimeoutMin: body.visitTimeoutMin,
      timezone: body.timezone,
      listHour: body.listHour,
      retentionDays: body.retentionDays,
      rulesVersion: 1,
      createdAt: Date.now(),
    };
    if (!(await insertSite(c.var.db, site, body.rules ?? defaultRules))) {
      throw new ApiError("conflict", `site "${site.id}" already exists`);
    }
    return c.json({ site: siteJson(site) }, 201);
  })
  .get("/", requireScope("read"), async (c) => c.json({ sites: (await listSites(c.var.db)).map(siteJson) }));
