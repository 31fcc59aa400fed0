import { and, desc, eq, inArray } from "drizzle-orm";
import { events, type EventRow } from "../../schema";
import type { ScoredEvent } from "../scoring/event";
import type { Database } from "./db";
import { scoredEventOf } from "./events";

/** An event row as the engine takes it. */
export const toScored = scoredEventOf;

/**
 * The order a lead's events are scored in: by sequence number (the order they were accepted), ties
 * (possible only between visitors scored apart before they were merged) by visitor id.
 */
export function scoringOrder(a: EventRow, b: EventRow): number {
  return a.seq - b.seq || (a.visitorId < b.visitorId ? -1 : a.visitorId > b.visitorId ? 1 : 0);
}

/** A lead's events, from all its visitor ids, in scoring order. */
export function inScoringOrder(rows: EventRow[]): ScoredEvent[] {
  return [...rows].sort(scoringOrder).map(toScored);
}

/** Every stored event of a site, grouped by the lead it counts for (`leadOf` maps merged visitor ids). */
export async function siteHistory(db: Database, siteId: string, leadOf: (visitorId: string) => string): Promise<Map<string, ScoredEvent[]>> {
  const rows = await db.select().from(events).where(eq(events.siteId, siteId));
  const byLead = new Map<string, EventRow[]>();
  for (const row of rows) {
    const lead = leadOf(row.visitorId);
    const list = byLead.get(lead);
    if (list) list.push(row);
    else byLead.set(lead, [row]);
  }
  return new Map([...byLead].map(([lead, list]) => [lead, inScoringOrder(list)]));
}

/** A lead's latest events (from all its visitor ids), newest first. */
export function recentEvents(db: Database, siteId: string, visitorIds: string[], limit: number): Promise<EventRow[]> {
  return db
    .select()
    .from(events)
    .where(and(eq(events.siteId, siteId), inArray(events.visitorId, visitorIds)))
    .orderBy(desc(events.seq))
    .limit(limit);
}
