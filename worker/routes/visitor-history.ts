import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import { ApiError } from "../lib/errors";
import { leadFromPath } from "../lib/lead-param";
import { siteFromPath } from "../lib/site-param";
import { validate } from "../lib/validate";
import { scoreHistory } from "../ingest/score-history";
import type { TimelineCursor } from "../store/lead-timeline";
import { findRuleSet } from "../store/rules";
import { sentProps } from "./event-json";

/** GET .../visitors/:id/history query: a page of steps after a cursor. */
export const historyQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(200),
  cursor: z.string().max(400).optional(),
});

/** Reads an event-key cursor ([seq, visitorId, id]) that the history or events route gave out. */
export function eventCursor(raw: string): TimelineCursor {
  return decodeCursor(raw, ([seq, visitorId, id]) =>
    typeof seq === "number" && typeof visitorId === "string" && typeof id === "string" ? { seq, visitorId, id } : undefined,
  );
}

/** The cursor for an event key. */
export const eventCursorText = (k: TimelineCursor) => encodeCursor([k.seq, k.visitorId, k.id]);

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * GET /api/sites/:site/visitors/:id/history: the lead's score and each dimension after every stored event,
 * oldest first, with the points each event earned or moved per rule, under the rules in force.
 */
export const visitorHistoryRoutes = new Hono<AppEnv>().get("/:id/history", requireScope("read"), validate("query", historyQuery), async (c) => {
  const site = await siteFromPath(c);
  const { limit, cursor } = c.req.valid("query");
  const after = cursor ? eventCursor(cursor) : undefined;
  const [lead, set] = await Promise.all([leadFromPath(c, site), findRuleSet(c.var.db, site.id, site.rulesVersion)]);
  if (!set) throw new ApiError("not_found", `site "${site.id}" has no rules`);
  const page = await scoreHistory(c.var.db, site, set.rules, lead.id, { after, limit });
  return c.json({
    visitorId: lead.id,
    rulesVersion: set.version,
    events: page.events,
    history: page.steps.map((s) => ({
      event: { id: s.event.id, visitorId: s.visitorId, type: s.event.type, path: s.event.path ?? null, at: iso(s.event.ts), props: sentProps(s.event.props ?? null) },
      at: iso(s.at),
      score: s.total,
      dimensions: s.dimensions,
      class: s.class,
      grade: s.grade,
      prospect: s.prospect,
      delta: s.delta,
      points: s.points,
    })),
    nextCursor: page.next ? eventCursorText(page.next) : null,
  });
});
