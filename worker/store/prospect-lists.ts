import { and, desc, eq, lt } from "drizzle-orm";
import { prospectLists } from "../../schema";
import type { ProspectRow } from "../scoring/prospects";
import type { Database } from "./db";

/** The stored list of a site for a local date, or undefined. */
export function storedList(db: Database, siteId: string, date: string) {
  return db.select().from(prospectLists).where(and(eq(prospectLists.siteId, siteId), eq(prospectLists.date, date))).get();
}

/** The latest list stored before a date, or undefined. */
export function listBefore(db: Database, siteId: string, date: string) {
  return db
    .select()
    .from(prospectLists)
    .where(and(eq(prospectLists.siteId, siteId), lt(prospectLists.date, date)))
    .orderBy(desc(prospectLists.date))
    .limit(1)
    .get();
}

/** Stores a day's list; a list already stored for that date stays as it was handed out. */
export async function storeList(db: Database, siteId: string, date: string, rows: ProspectRow[], now: number): Promise<void> {
  await db.insert(prospectLists).values({ siteId, date, rows, createdAt: now }).onConflictDoNothing();
}

/** The dates of a site's stored lists, newest first (at most `limit`). */
export async function storedListDates(db: Database, siteId: string, limit: number): Promise<string[]> {
  const rows = await db
    .select({ date: prospectLists.date })
    .from(prospectLists)
    .where(eq(prospectLists.siteId, siteId))
    .orderBy(desc(prospectLists.date))
    .limit(limit);
  return rows.map((r) => r.date);
}
