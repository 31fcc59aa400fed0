import { Hono } from "hono";
import { z } from "zod";
import type { VisitorRow } from "../../schema";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { siteFromPath } from "../lib/site-param";
import { validate } from "../lib/validate";
import { clientId } from "../ingest/ids";
import { breakdown } from "../scoring/prospects";
import { findRuleSet } from "../store/rules";
import { recentEvents } from "../store/history";
import { findVisitor, leaderboard, type LeaderboardCursor } from "../store/visitor-reads";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function encodeCursor(cursor: LeaderboardCursor): string {
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

function summary(v: VisitorRow) {
  return {
    id: v.id,
    score: v.score,
    prospect: v.prospectSince !== null,
    prospectSince: iso(v.prospectSince),
    visits: v.state.visits,
    firstSeen: iso(v.firstSeen),
    lastSeen: iso(v.lastSeen),
  };
}

/** GET /api/sites/:site/visitors (leaderboard) and GET /api/sites/:site/visitors/:id (why this score). */
export const visitorsRoutes = new Hono<AppEnv>()
  .get("/", requireScope("read"), validate("query", listQuery), async (c) => {
    const site = await siteFromPath(c);
    const { limit, cursor } = c.req.valid("query");
    const rows = await leaderboard(c.var.db, site.id, limit + 1, cursor ? decodeCursor(cursor) : undefined);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return c.json({
      visitors: page.map(summary),
      nextCursor: rows.length > limit && last ? encodeCursor({ score: last.score, id: last.id }) : null,
    });
  })
  .get("/:id", requireScope("read"), async (c) => {
    const site = await siteFromPath(c);
    const id = c.req.param("id");
    if (!clientId.safeParse(id).success) throw new ApiError("bad_request", "invalid visitor id");
    const visitor = await findVisitor(c.var.db, site.id, id);
    if (!visitor) throw new ApiError("not_found", `no visitor "${id}" on site "${site.id}"`);
    const [rules, recent] = await Promise.all([findRuleSet(c.var.db, site.id, site.rulesVersion), recentEvents(c.var.db, site.id, id, 20)]);
    if (!rules) throw new ApiError("not_found", `site "${site.id}" has no rules`);
    return c.json({
      ...summary(visitor),
      prospectAt: rules.rules.prospectAt,
      rulesVersion: rules.version,
      breakdown: breakdown(visitor.state, rules.rules),
      source: visitor.source,
      identity: { email: visitor.state.email, traits: visitor.state.traits },
      recentEvents: recent.map((e) => ({ id: e.id, type: e.type, path: e.path, at: iso(e.ts), props: e.props })),
    });
  });
