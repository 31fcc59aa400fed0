import { Hono } from "hono";
import { z } from "zod";
import type { LeadModelRow } from "../../schema";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { siteFromPath } from "../lib/site-param";
import { validate } from "../lib/validate";
import { readOutcomeEvidence, trainSiteModel } from "../ingest/outcome-evidence";
import { insightsOf } from "../scoring/insights";
import { MIN_NOT_WON, MIN_WON, proposedRules } from "../scoring/predictive";
import type { RuleSet } from "../scoring/rules";
import { findModel } from "../store/lead-models";

/** GET /api/sites/:site/insights query. */
export const insightsQuery = z.strictObject({
  /** Only leads whose latest outcome came at or after this time (ISO 8601). */
  since: z.iso.datetime({ offset: true }).or(z.iso.date()).optional(),
});

const round = (n: number, places = 4) => Math.round(n * 10 ** places) / 10 ** places;

/** The stored model as the API shows it, and the point set it proposes while it fits the rules in force. */
function modelJson(row: LeadModelRow | undefined, rulesVersion: number, rules: RuleSet) {
  if (!row) return { model: null, proposedRules: null };
  const current = row.rulesVersion === rulesVersion;
  const m = row.model;
  return {
    model: {
      trainedAt: new Date(row.trainedAt).toISOString(),
      rulesVersion: row.rulesVersion,
      // A model fitted under older rules is kept but not used: its features may mean something else now.
      current,
      won: m.won,
      notWon: m.notWon,
      trainingAuc: m.trainingAuc === null ? null : round(m.trainingAuc),
      converged: m.converged,
      intercept: round(m.intercept),
      weights: m.features.map((f, j) => ({ feature: f.name, kind: f.kind, weight: round(m.weights[j] as number) })).sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight)),
    },
    proposedRules: current ? proposedRules(rules, m) : null,
  };
}

/** GET /api/sites/:site/insights?since= (evidence from outcomes) and POST .../insights/train (fit the predictive model). */
export const insightsRoutes = new Hono<AppEnv>()
  .get("/", requireScope("read"), validate("query", insightsQuery), async (c) => {
    const site = await siteFromPath(c);
    const { since } = c.req.valid("query");
    const from = since ? Date.parse(since) : 0;
    const now = Date.now();
    const [evidence, row] = await Promise.all([readOutcomeEvidence(c.var.db, site, from, now), findModel(c.var.db, site.id)]);
    if (!evidence) throw new ApiError("not_found", `site "${site.id}" has no rules`);
    const insights = insightsOf(
      evidence.leads,
      evidence.rules.rules.map((r) => r.id),
    );
    return c.json({
      since: new Date(from).toISOString(),
      truncated: evidence.truncated,
      ...insights,
      auc: insights.auc === null ? null : round(insights.auc),
      rules: insights.rules.map((r) => ({ ...r, lift: r.lift === null ? null : round(r.lift, 3), pValue: r.pValue === null ? null : round(r.pValue, 6) })),
      modelNeeds: { won: MIN_WON, notWon: MIN_NOT_WON },
      ...modelJson(row, site.rulesVersion, evidence.rules),
    });
  })
  .post("/train", requireScope("admin"), async (c) => {
    const site = await siteFromPath(c);
    const now = Date.now();
    const { model, evidence } = await trainSiteModel(c.var.db, site, now);
    if (!evidence) throw new ApiError("not_found", `site "${site.id}" has no rules`);
    const won = evidence.examples.filter((e) => e.won).length;
    if (!model) {
      throw new ApiError("conflict", `not enough outcomes to fit a model: ${won} won and ${evidence.examples.length - won} others, at least ${MIN_WON} and ${MIN_NOT_WON} needed`);
    }
    return c.json(modelJson(await findModel(c.var.db, site.id), site.rulesVersion, evidence.rules), 201);
  });
