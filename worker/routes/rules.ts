import { Hono } from "hono";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { siteFromPath } from "../lib/site-param";
import { describeIssues } from "../lib/validate";
import { refuseProtoKeys } from "../lib/proto-keys";
import { replaceRules, rescoreSite } from "../ingest/rescore";
import { evaluate } from "../scoring/evaluate";
import { ruleSetSchema, type RuleSet } from "../scoring/rules";
import { findRuleSet } from "../store/rules";

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
    const current = await findRuleSet(c.var.db, site.id, site.rulesVersion);
    if (!current) throw new ApiError("not_found", `site "${site.id}" has no rules`);
    const now = Date.now();
    const { snapshot, rescored } = await rescoreSite(c.var.db, site, rules, now);
    const becomeProspects: string[] = [];
    const stopBeingProspects: string[] = [];
    const changedScores: { visitorId: string; before: number; after: number }[] = [];
    for (const [id, after] of rescored) {
      const stored = snapshot.states.get(id);
      if (!stored) continue;
      const before = evaluate(stored.state, current.rules, now);
      const is = after.score >= rules.prospectAt;
      if (!before.prospect && is) becomeProspects.push(id);
      if (before.prospect && !is) stopBeingProspects.push(id);
      const afterScore = Math.round(after.score * 100) / 100;
      if (before.total !== afterScore) changedScores.push({ visitorId: id, before: before.total, after: afterScore });
    }
    changedScores.sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before) || a.visitorId.localeCompare(b.visitorId));
    return c.json({ visitors: rescored.size, becomeProspects: becomeProspects.sort(), stopBeingProspects: stopBeingProspects.sort(), changedScores: changedScores.slice(0, 100) });
  });
