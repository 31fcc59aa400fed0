import { and, asc, desc, eq } from "drizzle-orm";
import { events, type EventRow } from "../../schema";
import type { ScoredEvent } from "../scoring/event";
import type { Database } from "./db";

/** An event row as the engine takes it. */
export function toScored(row: EventRow): ScoredEvent {
  return { id: row.id, type: row.type, ts: row.ts, path: row.path, props: row.props };
}

/** Every stored event of a site, grouped by visitor, each visitor's in scoring order. */
export async function siteHistory(db: Database, siteId: string): Promise<Map<string, ScoredEvent[]>> {
  const rows = await db.select().from(events).where(eq(events.siteId, siteId)).orderBy(asc(events.visitorId), asc(events.seq));
  const byVisitor = new Map<string, ScoredEvent[]>();
  for (const row of rows) {
    const list = byVisitor.get(row.visitorId);
    if (list) list.push(toScored(row));
    else byVisitor.set(row.visitorId, [toScored(row)]);
  }
  return byVisitor;
}

/** A visitor's latest events, newest first. */
export function recentEvents(db: Database, siteId: string, visitorId: string, limit: number): Promise<EventRow[]> {
  return db
    .select()
    .from(events)
    .where(and(eq(events.siteId, siteId), eq(events.visitorId, visitorId)))
    .orderBy(desc(events.seq))
    .limit(limit);
}
