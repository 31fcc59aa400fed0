import { and, eq, sql } from "drizzle-orm";
import { erasedVisitors, events, prospectLists, visitors } from "../../schema";
import type { Database } from "./db";

/** What an erasure removed. */
export interface Erased {
  events: number;
  visitor: boolean;
  prospectLists: number;
}

/**
 * Deletes everything stored about a visitor in one batch: its events, its visitor row, its lines in stored
 * prospect lists, and records a tombstone (the id's hash only) so the id is never tracked again. A
 * scoring write that read the visitor before this lands is aborted by its guard (see commitScored).
 */
export async function eraseVisitor(db: Database, siteId: string, visitorId: string, visitorHash: string, now: number): Promise<Erased> {
  const lists = await db
    .select()
    .from(prospectLists)
    .where(
      and(
        eq(prospectLists.siteId, siteId),
        sql`EXISTS (SELECT 1 FROM json_each(${prospectLists.rows}) WHERE json_extract(value, '$.visitorId') = ${visitorId})`,
      ),
    );
  const [deletedEvents, deletedVisitor] = await db.batch([
    db.delete(events).where(and(eq(events.siteId, siteId), eq(events.visitorId, visitorId))),
    db.delete(visitors).where(and(eq(visitors.siteId, siteId), eq(visitors.id, visitorId))).returning({ id: visitors.id }),
    db.insert(erasedVisitors).values({ siteId, visitorHash, erasedAt: now }).onConflictDoNothing(),
    ...lists.map((list) =>
      db
        .update(prospectLists)
        .set({ rows: list.rows.filter((r) => r.visitorId !== visitorId) })
        .where(and(eq(prospectLists.siteId, siteId), eq(prospectLists.date, list.date))),
    ),
  ]);
  return { events: deletedEvents.meta.changes, visitor: deletedVisitor.length > 0, prospectLists: lists.length };
}
