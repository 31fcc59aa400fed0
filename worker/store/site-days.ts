import { and, desc, eq, gte, isNull, sql } from "drizzle-orm";
import { siteDays, visitors, type SiteDayFigures, type SiteDayRow } from "../../schema";
import type { Database } from "./db";

/** The site's daily figures from a local date on, oldest first (at most one row per day). */
export async function siteDaysFrom(db: Database, siteId: string, fromDay: string): Promise<SiteDayRow[]> {
  const rows = await db
    .select()
    .from(siteDays)
    .where(and(eq(siteDays.siteId, siteId), gte(siteDays.day, fromDay)))
    .orderBy(desc(siteDays.day))
    .limit(62);
  return rows.reverse();
}

/** Stores a day's figures; a day already recorded keeps its first figures, like its stored list. */
export async function storeSiteDay(db: Database, siteId: string, day: string, figures: SiteDayFigures, now: number): Promise<void> {
  await db.insert(siteDays).values({ siteId, day, figures, createdAt: now }).onConflictDoNothing();
}

/** Per class threshold (best first): how many leads have a stored score in its band. */
export interface LeadTotals {
  leads: number;
  eventsTotal: number;
  classes: Record<string, number>;
}

/**
 * Counts a site's leads per class by the stored score column and sums the events applied to them. One
 * aggregate statement (nothing is loaded into memory); it is run by the daily job, never by a request.
 */
export async function leadTotals(db: Database, siteId: string, classes: readonly { name: string; min: number }[]): Promise<LeadTotals> {
  const bands = [...classes].sort((a, b) => b.min - a.min);
  const band = bands.length
    ? sql.join([sql`CASE`, ...bands.map((c) => sql`WHEN ${visitors.score} >= ${c.min} THEN ${c.name}`), sql`ELSE '' END`], sql` `)
    : sql`''`;
  // `$.n` is the events applied in both stored forms of the state (left off at 0; see store/state-codec.ts).
  const rows = await db
    .select({ band: sql<string>`${band}`, leads: sql<number>`count(*)`, events: sql<number>`coalesce(sum(json_extract(${visitors.state}, '$.n')), 0)` })
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), isNull(visitors.leadId)))
    .groupBy(sql`1`);
  const totals: LeadTotals = { leads: 0, eventsTotal: 0, classes: {} };
  for (const r of rows) {
    totals.leads += r.leads;
    totals.eventsTotal += r.events;
    totals.classes[r.band] = r.leads;
  }
  return totals;
}
