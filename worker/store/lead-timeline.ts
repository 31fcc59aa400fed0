import { and, desc, eq, lt, or, sql } from "drizzle-orm";
import { events, type EventRow } from "../../schema";
import type { Database } from "./db";

/** Where a timeline page starts: strictly before this event in (seq, visitorId, id) order. */
export interface TimelineCursor {
  seq: number;
  visitorId: string;
  id: string;
}

/** One page of a lead's events, newest first, and where the next page starts (null on the last page). */
export interface TimelinePage {
  events: EventRow[];
  next: TimelineCursor | null;
}

/** The key a timeline is ordered by, for a row. */
export function timelineKey(row: EventRow): TimelineCursor {
  return { seq: row.seq, visitorId: row.visitorId, id: row.id };
}

/** The lead's visitor ids, as a subquery: its own id and every visitor merged into it. */
function groupIds(siteId: string, leadId: string) {
  // The merged ids come from the lead_id index alone; an `id = ? OR lead_id = ?` would scan the site.
  return sql`${events.visitorId} IN (SELECT ${leadId} UNION SELECT id FROM visitors WHERE site_id = ${siteId} AND lead_id = ${leadId})`;
}

/** Every stored event of a lead (all its visitor ids), in no particular order. */
export function leadEvents(db: Database, siteId: string, leadId: string): Promise<EventRow[]> {
  return db
    .select()
    .from(events)
    .where(and(eq(events.siteId, siteId), groupIds(siteId, leadId)));
}

/**
 * The full event timeline of a lead (the events of all its visitor ids), newest first in the order the
 * collector accepted them, a page at a time. The lead's visitor ids come from a subquery, so the statement
 * binds a fixed number of parameters however many browsers the lead used. Each page reads the lead's key
 * range (events has no index on seq: one would cost a row written per event).
 */
export async function leadTimeline(
  db: Database,
  siteId: string,
  leadId: string,
  { before, limit }: { before?: TimelineCursor; limit: number },
): Promise<TimelinePage> {
  const page = before
    ? or(
        lt(events.seq, before.seq),
        and(eq(events.seq, before.seq), lt(events.visitorId, before.visitorId)),
        and(eq(events.seq, before.seq), eq(events.visitorId, before.visitorId), lt(events.id, before.id)),
      )
    : undefined;
  const rows = await db
    .select()
    .from(events)
    .where(and(eq(events.siteId, siteId), groupIds(siteId, leadId), page))
    .orderBy(desc(events.seq), desc(events.visitorId), desc(events.id))
    .limit(limit + 1);
  const list = rows.slice(0, limit);
  const last = list.at(-1);
  return { events: list, next: rows.length > limit && last ? timelineKey(last) : null };
}
