import { Hono, type Context } from "hono";
import { z } from "zod";
import type { SiteRow, VisitorRow } from "../../schema";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { siteFromPath } from "../lib/site-param";
import { validate } from "../lib/validate";
import { emailAddress } from "../ingest/props";
import { leaderboardPage } from "../ingest/leaderboard";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { leadFromPath } from "../lib/lead-param";
import { evaluate } from "../scoring/evaluate";
import { stageOf, type OutcomeRecord } from "../scoring/outcomes";
import type { RuleSet } from "../scoring/rules";
import { sitePredictor } from "../ingest/outcome-evidence";
import type { ScoreState } from "../scoring/state";
import { findRuleSet } from "../store/rules";
import { leadTimeline } from "../store/lead-timeline";
import { leadGroup } from "../store/leads";
import { leadByEmail } from "../store/visitor-reads";
import { sentProps } from "./event-json";

type Predictor = (state: ScoreState) => number | null;

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The lead's latest outcome as the API shows it. */
function outcomeJson(o: OutcomeRecord | undefined) {
  return o ? { outcome: o.outcome, at: iso(o.at), reason: o.reason ?? null, value: o.value ?? null } : null;
}

const traitFilter = z
  .string()
  .max(300)
  .regex(/^[A-Za-z0-9_]{1,40}:.+$/, "a trait filter is name:value, e.g. title:Director")
  .transform((t) => ({ name: t.slice(0, t.indexOf(":")), equals: t.slice(t.indexOf(":") + 1) }));

/** GET /api/sites/:site/visitors query: order, paging, the email lookup and filters. */
export const listQuery = z.strictObject({
  order: z.enum(["score", "lastSeen"]).default("score"),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(400).optional(),
  /** Finds the lead identified with this email (then the other parameters do not apply). */
  email: emailAddress.optional(),
  class: z.string().min(1).max(100).optional(),
  grade: z.string().min(1).max(20).optional(),
  prospect: z.enum(["true", "false"]).transform((p) => p === "true").optional(),
  trait: traitFilter.optional(),
});

function summary(v: VisitorRow, rules: RuleSet, now: number, predict: Predictor) {
  const score = evaluate(v.state, rules, now);
  return {
    id: v.id,
    email: v.state.email,
    emailVerified: v.state.emailVerified === true,
    score: score.total,
    class: score.class,
    grade: score.grade,
    prospect: score.prospect,
    prospectSince: score.prospect ? iso(v.state.prospectSince ?? v.prospectSince) : null,
    stage: stageOf(v.state.outcome, score.prospect),
    // The site's predictive model's P(won), once it has enough outcomes to fit one (null before).
    probability: predict(v.state),
    visits: v.state.visits,
    firstSeen: iso(v.firstSeen),
    lastSeen: iso(v.lastSeen),
  };
}

async function rulesInForce(c: Context<AppEnv>, site: SiteRow) {
  const set = await findRuleSet(c.var.db, site.id, site.rulesVersion);
  if (!set) throw new ApiError("not_found", `site "${site.id}" has no rules`);
  return set;
}

/**
 * GET /api/sites/:site/visitors (the leaderboard, filtered, or the lead with an email) and
 * GET /api/sites/:site/visitors/:id (why this score; :id is a visitor id or an email).
 */
export const visitorsRoutes = new Hono<AppEnv>()
  .get("/", requireScope("read"), validate("query", listQuery), async (c) => {
    const site = await siteFromPath(c);
    const { order, limit, cursor, email, ...filters } = c.req.valid("query");
    const set = await rulesInForce(c, site);
    const now = Date.now();
    const predict = await sitePredictor(c.var.db, site, set.rules, now);
    if (email !== undefined) {
      const lead = await leadByEmail(c.var.db, site.id, email);
      return c.json({ visitors: lead ? [summary(lead, set.rules, now, predict)] : [], nextCursor: null });
    }
    if (filters.class !== undefined && !set.rules.classes.some((cl) => cl.name === filters.class)) {
      throw new ApiError("bad_request", `invalid query: class: "${filters.class}" is not one of the site's classes (${set.rules.classes.map((cl) => cl.name).join(", ") || "none"})`);
    }
    const after = cursor ? decodeCursor(cursor, ([o, key, id]) => (o === order && typeof key === "number" && typeof id === "string" ? { key, id } : undefined)) : undefined;
    const page = await leaderboardPage(c.var.db, site, set.rules, { order, limit, after, filters }, now);
    return c.json({
      visitors: page.leads.map(({ row }) => summary(row, set.rules, now, predict)),
      nextCursor: page.next ? encodeCursor([order, page.next.key, page.next.id]) : null,
    });
  })
  .get("/:id", requireScope("read"), async (c) => {
    const site = await siteFromPath(c);
    // A visitor merged into a lead (same email) answers with the lead's score; an email names its lead.
    const visitor = await leadFromPath(c, site);
    const group = await leadGroup(c.var.db, site.id, visitor.id);
    const visitorIds = group.map((r) => r.id).sort();
    const [set, recent] = await Promise.all([rulesInForce(c, site), leadTimeline(c.var.db, site.id, visitor.id, { limit: 20 }).then((t) => t.events)]);
    const now = Date.now();
    const score = evaluate(visitor.state, set.rules, now);
    const predict = await sitePredictor(c.var.db, site, set.rules, now);
    return c.json({
      ...summary(visitor, set.rules, now, predict),
      visitorIds,
      dimensions: score.dimensions,
      prospectAt: set.rules.prospectAt ?? null,
      rulesVersion: set.version,
      breakdown: score.breakdown,
      source: visitor.source,
      identity: { email: visitor.state.email, emailVerified: visitor.state.emailVerified === true, traits: visitor.state.traits },
      outcome: outcomeJson(visitor.state.outcome),
      recentEvents: recent.map((e) => ({ id: e.id, type: e.type, via: e.via, path: e.path, at: iso(e.ts), props: sentProps(e.props) })),
    });
  });
