import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { leadFromPath } from "../lib/lead-param";
import { siteFromPath } from "../lib/site-param";
import { validate } from "../lib/validate";
import { leadTimeline } from "../store/lead-timeline";
import { sentProps } from "./event-json";
import { eventCursor, eventCursorText } from "./visitor-history";
import { receivedAtOf } from "../store/events";

/** GET .../visitors/:id/events query: a page of events before a cursor. */
export const eventsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(400).optional(),
});

const iso = (ms: number) => new Date(ms).toISOString();

/** GET /api/sites/:site/visitors/:id/events: every stored event of the lead (all its visitor ids), newest first. */
export const visitorEventsRoutes = new Hono<AppEnv>().get("/:id/events", requireScope("read"), validate("query", eventsQuery), async (c) => {
  const site = await siteFromPath(c);
  const { limit, cursor } = c.req.valid("query");
  const before = cursor ? eventCursor(cursor) : undefined;
  const lead = await leadFromPath(c, site);
  const page = await leadTimeline(c.var.db, site.id, lead.id, { before, limit });
  return c.json({
    visitorId: lead.id,
    events: page.events.map((e) => ({
      id: e.id,
      visitorId: e.visitorId,
      type: e.type,
      path: e.path,
      at: iso(e.ts),
      receivedAt: iso(receivedAtOf(e)),
      props: sentProps(e.props),
    })),
    nextCursor: page.next ? eventCursorText(page.next) : null,
  });
});
