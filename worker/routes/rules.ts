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
  } catch {
    throw new ApiError("bad_request", "body is not valid JSON");
  }
}

/** Leads a preview replays per request: a page in key order, bounded like a rescore chunk. */
export const PREVIEW_LEADS = 200;

const previewQuery = z.strictObject({ cursor: z.string().min(1).max(200).optional() });

/**
 * GET and PUT /api/sites/:site/rules, POST .../rules/preview, and the rescore jobs a PUT starts
 * (GET .../rules/jobs, GET .../rules/jobs/:id).
 */
export const rulesRoutes = new Hono<AppEnv>()
  .get("/", requireScope("read"), async (c) => {
    const site = await siteFromPath(c);
    const set = await findRuleSet(c.var.db, site.id, site.rulesVersion);
    if (!set) throw new ApiError("not_found", `site "${site.id}" has no rules`);
    return c.json({ version: set.version, createdAt: new Date(set.createdAt).toISOString(), rules: set.rules });
  })
  .put("/", requireScope("admin"), async (c) => {
    const rules = parseRuleSet(await jsonBody(c.req.raw));
    const site = await siteFromPath(c);
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
    return c.json({ version, rules, job: await jobOr404(c.var.db, site.id, jobId) }, 202);
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
    const rules = parseRuleSet(await jsonBody(c.req.raw));
    const site = await siteFromPath(c);
    const current = await findRuleSet(c.var.db, site.id, site.rulesVersion);
    if (!current) throw new ApiError("not_found", `site "${site.id}" has no rules`);
    const now = Date.now();
    const after = c.req.valid("query").cursor ?? null;
    // One page of leads in key order per request, bounded by leads and events like a rescore chunk; the
    // answer says which page it covered, and nextCursor pages on through the site.
    const chunk = await readLeadChunk(c.var.db, site.id, after, { maxLeads: PREVIEW_LEADS, maxEvents: RESCORE_EVENTS_PER_CHUNK });
    const rescored = replayChunk(chunk, site, rules, site.rulesVersion + 1, now);
    const becomeProspects: string[] = [];
    const stopBeingProspects: string[] = [];
    const changedScores: { visitorId: string; before: number; after: number }[] = [];
    for (const lead of chunk.leads) {
      const after = rescored.get(lead.id);
      if (!after) continue;
      const before = evaluate(lead.state, current.rules, now);
      const is = after.score >= rules.prospectAt;
      if (!before.prospect && is) becomeProspects.push(lead.id);
      if (before.prospect && !is) stopBeingProspects.push(lead.id);
      const afterScore = Math.round(after.score * 100) / 100;
      if (before.total !== afterScore) changedScores.push({ visitorId: lead.id, before: before.total, after: afterScore });
    }
    changedScores.sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before) || a.visitorId.localeCompare(b.visitorId));
    const last = chunk.leads[chunk.leads.length - 1];
    return c.json({
      visitors: chunk.leads.length,
      becomeProspects: becomeProspects.sort(),
      stopBeingProspects: stopBeingProspects.sort(),
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
