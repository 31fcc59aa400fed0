import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { siteFromPath } from "../lib/site-param";
import { describeIssues } from "../lib/validate";
import { replaceRules, rescoreSite } from "../ingest/rescore";
import { ruleSetSchema, type RuleSet } from "../scoring/rules";
import { findRuleSet } from "../store/rules";

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

/** GET and PUT /api/sites/:site/rules, and POST .../rules/preview. */
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
    const version = await replaceRules(c.var.db, site, rules, Date.now());
    return c.json({ version, rules });
  })
  .post("/preview", requireScope("admin"), async (c) => {
    const rules = parseRuleSet(await jsonBody(c.req.raw));
    const site = await siteFromPath(c);
    const { snapshot, rescored } = await rescoreSite(c.var.db, site, rules);
    const becomeProspects: string[] = [];
    const stopBeingProspects: string[] = [];
    const scores: { visitorId: string; before: number; after: number }[] = [];
    for (const [id, after] of rescored) {
      const before = snapshot.states.get(id)?.state;
      if (!before) continue;
      const was = before.prospectSince !== null;
      const is = after.prospectSince !== null;
      if (!was && is) becomeProspects.push(id);
      if (was && !is) stopBeingProspects.push(id);
      if (before.total !== after.total) scores.push({ visitorId: id, before: before.total, after: after.total });
    }
    scores.sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before));
    return c.json({ visitors: rescored.size, becomeProspects, stopBeingProspects, changedScores: scores.slice(0, 100) });
  });
