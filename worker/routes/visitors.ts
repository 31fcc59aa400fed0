import { Hono, type Context } from "hono";
import { z } from "zod";
import type { SiteRow, VisitorRow } from "../../schema";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { siteFromPath } from "../lib/site-param";
import { validate } from "../lib/validate";
import { clientId } from "../ingest/ids";
import { evaluate } from "../scoring/evaluate";
import type { RuleSet } from "../scoring/rules";
import { findRuleSet } from "../store/rules";
import { recentEvents } from "../store/history";
import { leadGroup } from "../store/leads";
import { findVisitor, leaderboard, type LeaderboardCursor } from "../store/visitor-reads";

/** An event's properties as the sender sent them: without the ones the collector adds (names starting with __). */
function sentProps(props: Record<string, unknown> | null): Record<string, unknown> | null {
  if (!props) return null;
  const sent = Object.entries(props).filter(([key]) => !key.startsWith("__"));
  return sent.length > 0 ? Object.fromEntries(sent) : null;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The opaque leaderboard cursor the API gives out for a page that ends at `cursor`. */
export function encodeCursor(cursor: LeaderboardCursor): string {
  return btoa(JSON.stringify([cursor.score, cursor.id])).replaceAll("=", "");
}

function decodeCursor(raw: string): LeaderboardCursor {
  try {
    const [score, id] = JSON.parse(atob(raw)) as [unknown, unknown];
    if (typeof score === "number" && typeof id === "string") return { score, id };
  } catch {
    // fall through to the 400 below
  }
  throw new ApiError("bad_request", "invalid query: cursor is not one this API gave out");
}

const listQuery = z.strictObject({
  order: z.literal("score").default("score"),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(400).optional(),
});

function summary(v: VisitorRow, rules: RuleSet, now: number) {
  const score = evaluate(v.state, rules, now);
  return {
    id: v.id,
    email: v.state.email,
    score: score.total,
    class: score.class,
    grade: score.grade,
    prospect: score.prospect,
    prospectSince: score.prospect ? iso(v.state.prospectSince ?? v.prospectSince) : null,
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

/** GET /api/sites/:site/visitors (leaderboard) and GET /api/sites/:site/visitors/:id (why this score). */
export const visitorsRoutes = new Hono<AppEnv>()
  .get("/", requireScope("read"), validate("query", listQuery), async (c) => {
    const site = await siteFromPath(c);
    const { limit, cursor } = c.req.valid("query");
    const [set, rows] = await Promise.all([rulesInForce(c, site), leaderboard(c.var.db, site.id, limit + 1, cursor ? decodeCursor(cursor) : undefined)]);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const now = Date.now();
    return c.json({
      visitors: page.map((v) => summary(v, set.rules, now)),
      nextCursor: rows.length > limit && last ? encodeCursor({ score: last.score, id: last.id }) : null,
    });
  })
  .get("/:id", requireScope("read"), async (c) => {
    const site = await siteFromPath(c);
    const id = c.req.param("id");
    if (!clientId.safeParse(id).success) throw new ApiError("bad_request", "invalid visitor id");
    const found = await findVisitor(c.var.db, site.id, id);
    if (!found) throw new ApiError("not_found", `no visitor "${id}" on site "${site.id}"`);
    // A visitor merged into a lead (same email) answers with the lead's score.
    const visitor = (found.leadId ? await findVisitor(c.var.db, site.id, found.leadId) : undefined) ?? found;
    const group = await leadGroup(c.var.db, site.id, visitor.id);
    const visitorIds = group.map((r) => r.id).sort();
    const [set, recent] = await Promise.all([rulesInForce(c, site), recentEvents(c.var.db, site.id, visitorIds, 20)]);
    const now = Date.now();
    const score = evaluate(visitor.state, set.rules, now);
    return c.json({
      ...summary(visitor, set.rules, now),
      visitorIds,
      dimensions: score.dimensions,
      prospectAt: set.rules.prospectAt,
      rulesVersion: set.version,
      breakdown: score.breakdown,
      source: visitor.source,
      identity: { email: visitor.state.email, traits: visitor.state.traits },
      recentEvents: recent.map((e) => ({ id: e.id, type: e.type, path: e.path, at: iso(e.ts), props: sentProps(e.props) })),
    });
  });
