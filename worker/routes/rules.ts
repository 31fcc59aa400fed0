import { Hono, type Context } from "hono";
import { z } from "zod";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { siteFromPath } from "../lib/site-param";
import { describeIssues, validate } from "../lib/validate";
import { refuseProtoKeys } from "../lib/proto-keys";
import { startRulesChange } from "../jobs/start-rescore";
import { previewRules } from "../ingest/rule-preview";
import { ruleSetSchema, type RuleSet } from "../scoring/rules";
import { StaleWrite } from "../store/guard";
import { recentJobs } from "../store/jobs";
import { findRuleSet } from "../store/rules";
import { jobJson, jobOr404 } from "./jobs";

/** Validates a rule set, naming the rule (by position and id) and the field that is wrong. */
export function parseRuleSet(body: unknown): RuleSet {
  refuseProtoKeys(body, "rule set");
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

/** The request's JSON body (a malformed one never gets here: see jsonBodies), or undefined without one. */
const requestJson = (c: Context<AppEnv>): Promise<unknown> => (c.req.raw.body === null ? Promise.resolve(undefined) : c.req.json());

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
    const { rules, readVersion } = ruleSetBody(await requestJson(c));
    const site = await siteFromPath(c);
    if (readVersion !== undefined && readVersion !== site.rulesVersion) {
      throw new ApiError("conflict", `the rules were read at version ${readVersion}; version ${site.rulesVersion} was stored since`);
    }
    const now = Date.now();
    let started: { version: number; jobId: string };
    try {
      // The new version is in force from here on (each lead's next write replays it); the job brings the
      // other leads over in the background.
      started = await startRulesChange(c.var.db, c.env.JOBS, site, rules, now);
    } catch (err) {
      if (err instanceof StaleWrite) throw new ApiError("conflict", "the rules were changed by another request meanwhile; read them again and retry");
      throw err;
    }
    const { version, jobId } = started;
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
    const { rules } = ruleSetBody(await requestJson(c));
    const site = await siteFromPath(c);
    const current = await findRuleSet(c.var.db, site.id, site.rulesVersion);
    if (!current) throw new ApiError("not_found", `site "${site.id}" has no rules`);
    // One page of leads per request, bounded like a rescore chunk; the answer says which page it covered.
    return c.json(await previewRules(c.var.db, site, current.rules, rules, Date.now(), c.req.valid("query").cursor ?? null));
  });
