import { and, desc, eq, sql } from "drizzle-orm";
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

/** A lead's latest events (from all its visitor ids), newest first. */
export function recentEvents(db: Database, siteId: string, visitorIds: string[], limit: number): Promise<EventRow[]> {
  return db
    .select()
    .from(events)
    // The ids as one JSON parameter: a lead may have more visitor ids than a statement can bind.
    .where(and(eq(events.siteId, siteId), sql`${events.visitorId} IN (SELECT value FROM json_each(${JSON.stringify(visitorIds)}))`))
    .orderBy(desc(events.seq))
    .limit(limit);
}
