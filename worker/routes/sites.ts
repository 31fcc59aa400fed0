import { Hono } from "hono";
import { z } from "zod";
import type { SiteRow } from "../../schema";
import { siteId } from "../ingest/ids";
import { reaches, type AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { validate } from "../lib/validate";
import { defaultRules } from "../scoring/default-rules";
import { isTimezone } from "../scoring/local-day";
import { ruleSetSchema } from "../scoring/rules";
import { siteFromPath } from "../lib/site-param";
import { insertSite, listSites, updateSite } from "../store/sites";

const origin = z
  .string()
  .max(300)
  .regex(/^https?:\/\/(\*\.)?[a-z0-9.-]+(:\d{1,5})?$/i, "an origin is scheme://host[:port], optionally with *. before the host");

const name = z.string().min(1).max(200);
const origins = z.array(origin).min(1).max(50);
const listHour = z.number().int().min(0).max(23);
/** Days raw events are kept; older ones are purged daily (scores stay). */
const retentionDays = z.number().int().min(1).max(3650);
/** Where prospect notices go: https, or http on this machine for trying it out. */
const webhookUrl = z
  .url({ protocol: /^https?$/ })
  .max(2000)
  .refine((u) => u.startsWith("https://") || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?\//.test(u), "a webhook URL is https (http only for localhost)");

/** POST /api/sites body. */
export const newSite = z.strictObject({
  id: siteId.optional(),
  name,
  origins,
  visitTimeoutMin: z.number().int().min(1).max(24 * 60).default(30),
  timezone: z.string().max(64).refine(isTimezone, "unknown IANA timezone").default("UTC"),
  listHour: listHour.default(7),
  retentionDays: retentionDays.default(395),
  webhookUrl: webhookUrl.optional(),
  rules: ruleSetSchema.optional(),
});

/**
 * What can change on a site without rescoring it. The visit timeout and timezone shape every stored
 * score (visits, local days), so they are set when the site is created.
 */
export const siteChanges = z
  .strictObject({
    name: name.optional(),
    origins: origins.optional(),
    listHour: listHour.optional(),
    retentionDays: retentionDays.optional(),
    /** null removes the webhook. */
    webhookUrl: webhookUrl.nullable().optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "give at least one of name, origins, listHour, retentionDays, webhookUrl");

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
    webhookUrl: site.webhookUrl,
    rulesVersion: site.rulesVersion,
    createdAt: new Date(site.createdAt).toISOString(),
  };
}

/** A new webhook signing key. */
function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `whsec_${btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "")}`;
}

/** The site as the API shows it; the webhook's signing key only in the answer that made it. */
function siteAnswer(site: SiteRow, newSecret: boolean) {
  return { site: siteJson(site), ...(newSecret && site.webhookSecret ? { webhookSecret: site.webhookSecret } : {}) };
}

function randomSiteId(): string {
  return `site-${crypto.randomUUID().slice(0, 8)}`;
}

/** POST /api/sites, GET /api/sites, GET and PATCH /api/sites/:site. */
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
      webhookUrl: body.webhookUrl ?? null,
      webhookSecret: body.webhookUrl ? newWebhookSecret() : null,
      rulesVersion: 1,
      createdAt: Date.now(),
    };
    if (!(await insertSite(c.var.db, site, body.rules ?? defaultRules))) {
      throw new ApiError("conflict", `site "${site.id}" already exists`);
    }
    return c.json(siteAnswer(site, true), 201);
  })
  .get("/", requireScope("read"), async (c) => {
    const caller = c.get("caller");
    return c.json({ sites: (await listSites(c.var.db)).filter((s) => reaches(caller, s.id)).map(siteJson) });
  })
  .get("/:site", requireScope("read"), async (c) => c.json({ site: siteJson(await siteFromPath(c)) }))
  .patch("/:site", requireScope("admin"), validate("json", siteChanges), async (c) => {
    const { webhookUrl: url, ...changes } = c.req.valid("json");
    const site = await siteFromPath(c);
    // Setting a webhook where there was none makes its signing key; removing it drops the key.
    const newSecret = url !== undefined && url !== null && !site.webhookSecret;
    const webhook = url === undefined ? {} : url === null ? { webhookUrl: null, webhookSecret: null } : { webhookUrl: url, ...(newSecret ? { webhookSecret: newWebhookSecret() } : {}) };
    const updated = await updateSite(c.var.db, site.id, {
      ...changes,
      ...(changes.origins ? { origins: changes.origins.map((o) => o.toLowerCase()) } : {}),
      ...webhook,
    });
    if (!updated) throw new ApiError("not_found", `unknown site "${site.id}"`);
    return c.json(siteAnswer(updated, newSecret));
  });
