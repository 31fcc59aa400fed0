import { Hono } from "hono";
import { z } from "zod";
import type { SiteRow } from "../../schema";
import { siteId } from "../ingest/ids";
import { newIdentitySecret } from "../ingest/verify-identity";
import { reaches, type AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { validate } from "../lib/validate";
import { localWebhooksAllowed, webhookUrlProblem } from "../lib/webhook-url";
import { defaultRules } from "../scoring/default-rules";
import { isTimezone } from "../scoring/local-day";
import { ruleSetSchema } from "../scoring/rules";
import { siteFromPath } from "../lib/site-param";
import type { Database } from "../store/db";
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
/** Where prospect notices go; which hosts are allowed is checked in the handler (see webhook-url.ts). */
const webhookUrl = z.url({ protocol: /^https?$/ }).max(2000);

/** Refuses a webhook URL aimed at loopback, a private network or a metadata service (400). */
function checkWebhookUrl(env: { ALLOW_LOCAL_WEBHOOKS?: string }, url: string | null | undefined): void {
  if (!url) return;
  const problem = webhookUrlProblem(url, localWebhooksAllowed(env));
  if (problem) throw new ApiError("bad_request", `invalid body: webhookUrl: ${problem}`);
}

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
    /** Whether the site has an identity secret, so that signed identifies can be verified. */
    identityVerification: site.identitySecret !== null,
    createdAt: new Date(site.createdAt).toISOString(),
  };
}

/** A new webhook signing key in the Standard Webhooks format: `whsec_` and 32 random bytes in base64. */
function newWebhookSecret(): string {
  return `whsec_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))}`;
}

/** The site as the API shows it; the webhook's signing key only in the answer that made it. */
function siteAnswer(site: SiteRow, newSecret: boolean) {
  return { site: siteJson(site), ...(newSecret && site.webhookSecret ? { webhookSecret: site.webhookSecret } : {}) };
}

/** A new site's answer: its identity secret is shown here once. */
function createdAnswer(site: SiteRow) {
  return { ...siteAnswer(site, true), identitySecret: site.identitySecret };
}

function randomSiteId(): string {
  return `site-${crypto.randomUUID().slice(0, 8)}`;
}

/**
 * Applies a validated PATCH body to a site (PATCH /api/sites/:site and the console's settings form).
 * Setting a webhook where there was none makes its signing key (newSecret); removing it drops the key.
 */
export async function changeSite(
  db: Database,
  env: { ALLOW_LOCAL_WEBHOOKS?: string },
  site: SiteRow,
  body: z.output<typeof siteChanges>,
): Promise<{ updated: SiteRow; newSecret: boolean }> {
  const { webhookUrl: url, ...changes } = body;
  checkWebhookUrl(env, url);
  const newSecret = url !== undefined && url !== null && !site.webhookSecret;
  const webhook = url === undefined ? {} : url === null ? { webhookUrl: null, webhookSecret: null } : { webhookUrl: url, ...(newSecret ? { webhookSecret: newWebhookSecret() } : {}) };
  const updated = await updateSite(db, site.id, {
    ...changes,
    ...(changes.origins ? { origins: changes.origins.map((o) => o.toLowerCase()) } : {}),
    ...webhook,
  });
  if (!updated) throw new ApiError("not_found", `unknown site "${site.id}"`);
  return { updated, newSecret };
}

/** POST /api/sites, GET /api/sites, GET and PATCH /api/sites/:site. */
export const sitesRoutes = new Hono<AppEnv>()
  .post("/", requireScope("admin"), validate("json", newSite), async (c) => {
    const body = c.req.valid("json");
    checkWebhookUrl(c.env, body.webhookUrl);
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
      identitySecret: newIdentitySecret(),
      createdAt: Date.now(),
    };
    if (!(await insertSite(c.var.db, site, body.rules ?? defaultRules))) {
      throw new ApiError("conflict", `site "${site.id}" already exists`);
    }
    return c.json(createdAnswer(site), 201);
  })
  .get("/", requireScope("read"), async (c) => {
    const caller = c.get("caller");
    return c.json({ sites: (await listSites(c.var.db)).filter((s) => reaches(caller, s.id)).map(siteJson) });
  })
  .get("/:site", requireScope("read"), async (c) => c.json({ site: siteJson(await siteFromPath(c)) }))
  .patch("/:site", requireScope("admin"), validate("json", siteChanges), async (c) => {
    const site = await siteFromPath(c);
    const { updated, newSecret } = await changeSite(c.var.db, c.env, site, c.req.valid("json"));
    return c.json(siteAnswer(updated, newSecret));
  });
