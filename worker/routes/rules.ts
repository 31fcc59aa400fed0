import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { siteFromPath } from "../lib/site-param";
import { describeIssues, validate } from "../lib/validate";
import { replayChunk, RESCORE_EVENTS_PER_CHUNK } from "../jobs/rescore";
import { enqueue, jobChunk } from "../jobs/messages";
import { evaluate } from "../scoring/evaluate";
import { ruleSetSchema, type RuleSet } from "../scoring/rules";
import { StaleWrite } from "../store/guard";
import { newJobId, recentJobs } from "../store/jobs";
import { readLeadChunk } from "../store/lead-chunk";
import { commitRulesVersion, findRuleSet } from "../store/rules";
import { jobJson, jobOr404 } from "./jobs";

/** Validates a rule set, naming the rule (by position and id) and the field that is wrong. */
export function parseRuleSet(body: unknown): RuleSet {
  const result = ruleSetSchema.safeParse(body);
  if (result.success) return result.data;
  const rules = (body as { rules?: unknown[] } | null)?.rules;
  const ruleName = (path: PropertyKey[]) => {
    if (path[0] !== "rules" || typeof path[1] !== "number" || !Array.isArray(rules)) return undefined;
    const id = (rules[path[1]] as { id?: unknown } | null)?.id;
    return typeof id === "string" ? `(rule "${id}")` : undefined;
  };
  throw new ApiError("bad_request", `invalid rule set: ${describeIssues(result.error, ruleName)}`);
}

async function jsonBody(request: Request): Promise<unknown> {
  try {
    return await request.json();
  } catch (err) {
    throw new ApiError("bad_request", `body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Leads a preview replays per request: a page in key order, bounded like a rescore chunk. */
export const PREVIEW_LEADS = 200;

/** POST .../rules/preview query: where the page of leads starts. */
export const previewQuery = z.strictObject({ cursor: z.string().min(1).max(200).optional() });

/** GET's answer, which PUT takes back as is: the rule set under `rules`, and the version it was read at. */
export const ruleSetEnvelope = z.strictObject({
  /** The version the rule set was read at: PUT refuses it (409) when another version was stored since. */
  version: z.number().int().min(1).optional(),
  createdAt: z.iso.datetime().optional(),
  rules: z.record(z.string(), z.unknown()),
});

/**
 * A PUT body: a rule set, or GET's answer (`{version, createdAt, rules: {...}}`). A rule set's own `rules`
 * is an array, so an object there says the body is the envelope.
 */
function ruleSetBody(body: unknown): { rules: RuleSet; readVersion?: number } {
  const rules = (body as { rules?: unknown } | null)?.rules;
  if (rules === null || typeof rules !== "object" || Array.isArray(rules)) return { rules: parseRuleSet(body) };
  const envelope = ruleSetEnvelope.safeParse(body);
  if (!envelope.success) throw new ApiError("bad_request", `invalid rule set: ${describeIssues(envelope.error)}`);
  return { rules: parseRuleSet(envelope.data.rules), readVersion: envelope.data.version };
}

/** GET /rules answer. */
function ruleSetAnswer(set: { version: number; createdAt: number; rules: RuleSet }) {
  return { version: set.version, createdAt: new Date(set.createdAt).toISOString(), rules: set.rules };
}

/**
 * GET and PUT /api/sites/:site/rules, POST .../rules/preview, and the rescore jobs a PUT starts
 * (GET .../rules/jobs, GET .../rules/jobs/:id).
 */
export const rulesRoutes = new Hono<AppEnv>()
  .get("/", requireScope("read"), async (c) => {
    const site = await siteFromPath(c);
    const set = await findRuleSet(c.var.db, site.id, site.rulesVersion);
    if (!set) throw new ApiError("not_found", `site "${site.id}" has no rules`);
    return c.json(ruleSetAnswer(set));
  })
  .put("/", requireScope("admin"), async (c) => {
    const { rules, readVersion } = ruleSetBody(await jsonBody(c.req.raw));
    const site = await siteFromPath(c);
    if (readVersion !== undefined && readVersion !== site.rulesVersion) {
      throw new ApiError("conflict", `the rules were read at version ${readVersion}; version ${site.rulesVersion} was stored since`);
    }
    const now = Date.now();
    const jobId = newJobId("rescore", now);
    let version: number;
    try {
      version = await commitRulesVersion(c.var.db, site.id, site.rulesVersion, rules, jobId, now);
    } catch (err) {
      if (err instanceof StaleWrite) throw new ApiError("conflict", "the rules were changed by another request meanwhile; read them again and retry");
      throw err;
    }
    // The new version is in force from here on (each lead's next write replays it); the job brings the
    // other leads over in the background. Should the enqueue fail, the cron restarts the queued job.
    await enqueue(c.env.JOBS, [jobChunk(site.id, jobId)]).catch((err: unknown) => console.error("enqueueing a rescore failed", err));
    c.header("Location", `/api/sites/${site.id}/rules/jobs/${jobId}`);
    return c.json({ ...ruleSetAnswer({ version, createdAt: now, rules }), job: await jobOr404(c.var.db, site.id, jobId) }, 202);
  })
  .get("/jobs", requireScope("read"), async (c) => {
    const site = await siteFromPath(c);
    return c.json({ site: site.id, jobs: (await recentJobs(c.var.db, site.id, 20, "rescore")).map(jobJson) });
  })
  .get("/jobs/:id", requireScope("read"), async (c) => {
    const site = await siteFromPath(c);
    return c.json(await jobOr404(c.var.db, site.id, c.req.param("id")));
  })
  .post("/preview", requireScope("admin"), validate("query", previewQuery), async (c) => {
    const { rules } = ruleSetBody(await jsonBody(c.req.raw));
    const site = await siteFromPath(c);
    const current = await findRuleSet(c.var.db, site.id, site.rulesVersion);
    if (!current) throw new ApiError("not_found", `site "${site.id}" has no rules`);
    const now = Date.now();
    const after = c.req.valid("query").cursor ?? null;
    // One page of leads in key order per request, bounded by leads and events like a rescore chunk; the
    // answer says which page it covered, and nextCursor pages on through the site.
    const chunk = await readLeadChunk(c.var.db, site.id, after, { maxLeads: PREVIEW_LEADS, maxEvents: RESCORE_EVENTS_PER_CHUNK });
    const rescored = replayChunk(chunk, site, rules, site.rulesVersion + 1, now);
    type Lead = { visitorId: string; email: string | null };
    const becomeProspects: Lead[] = [];
    const stopBeingProspects: Lead[] = [];
    const changedScores: (Lead & { before: number; after: number })[] = [];
    for (const stored of chunk.leads) {
      const next = rescored.get(stored.id);
      if (!next) continue;
      const before = evaluate(stored.state, current.rules, now);
      const is = next.score >= rules.prospectAt;
      const lead = { visitorId: stored.id, email: stored.state.email };
      if (!before.prospect && is) becomeProspects.push(lead);
      if (before.prospect && !is) stopBeingProspects.push(lead);
      const afterScore = Math.round(next.score * 100) / 100;
      if (before.total !== afterScore) changedScores.push({ ...lead, before: before.total, after: afterScore });
    }
    const byId = (a: Lead, b: Lead) => a.visitorId.localeCompare(b.visitorId);
    changedScores.sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before) || byId(a, b));
    const last = chunk.leads[chunk.leads.length - 1];
    return c.json({
      visitors: chunk.leads.length,
      becomeProspects: becomeProspects.sort(byId),
      stopBeingProspects: stopBeingProspects.sort(byId),
      changedScores: changedScores.slice(0, 100),
      page: {
        from: after,
        to: last?.id ?? null,
        eventsReplayed: chunk.eventsRead,
        nextCursor: chunk.next,
        note: `leads in id order, at most ${PREVIEW_LEADS} and ${RESCORE_EVENTS_PER_CHUNK} events per request; pass nextCursor as ?cursor= for the next page`,
      },
    });
  });
