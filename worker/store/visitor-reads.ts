import { and, asc, desc, eq, gte, inArray, isNull, ne, sql, type SQL } from "drizzle-orm";
import { visitors, type VisitorRow } from "../../schema";
import type { Database } from "./db";

/**
 * `id IN (ids of the site's visitors where `which`)`: for a `which` on an indexed column (lead_id, email),
 * the ids come from that index alone and the rows by key. Asked for whole rows directly, SQLite prefers
 * walking the site's primary-key range, which reads every visitor of the site.
 */
export function idsWhere(db: Database, siteId: string, which: SQL) {
  return inArray(visitors.id, db.select({ id: visitors.id }).from(visitors).where(and(eq(visitors.siteId, siteId), which)));
}

/** Where a leaderboard page starts: after this score and id. */
export interface LeaderboardCursor {
  score: number;
  id: string;
}

/**
 * Leads by score, best first (ties by id, descending), after an optional cursor. Both keys run the same way
 * as the (site_id, score, id) index over leads, so a page is one range read of `limit` entries wherever it
 * starts, also deep inside a group of equal scores.
 */
export function leaderboard(db: Database, siteId: string, limit: number, after?: LeaderboardCursor) {
  const page = after ? sql`(${visitors.score}, ${visitors.id}) < (${after.score}, ${after.id})` : undefined;
  return db
    .select()
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), isNull(visitors.leadId), page))
    .orderBy(desc(visitors.score), desc(visitors.id))
    .limit(limit);
}

/** One visitor, or undefined. */
export function findVisitor(db: Database, siteId: string, id: string): Promise<VisitorRow | undefined> {
  return db.select().from(visitors).where(and(eq(visitors.siteId, siteId), eq(visitors.id, id))).get();
}

/** Visitors at or above a score, best first: the prospects under a threshold. */
export function visitorsFrom(db: Database, siteId: string, minScore: number): Promise<VisitorRow[]> {
  return db
    .select()
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), isNull(visitors.leadId), gte(visitors.score, minScore)))
    .orderBy(desc(visitors.score), asc(visitors.id));
}

/** Every lead of a site (for evaluations that cannot use the score index). */
export function allVisitors(db: Database, siteId: string): Promise<VisitorRow[]> {
  return db.select().from(visitors).where(and(eq(visitors.siteId, siteId), isNull(visitors.leadId)));
}

/**
 * The query for the site's oldest lead (not merged into another) identified with this email, except
 * `exceptId`: at most one row, found through the email index.
 */
export function oldestLeadWithEmail(db: Database, siteId: string, email: string, exceptId?: string) {
  return db
    .select()
    .from(visitors)
    .where(
      and(
        eq(visitors.siteId, siteId),
        idsWhere(db, siteId, eq(visitors.email, email.toLowerCase())),
        isNull(visitors.leadId),
        exceptId === undefined ? undefined : ne(visitors.id, exceptId),
      ),
    )
    .orderBy(asc(visitors.firstSeen), asc(visitors.id))
    .limit(1);
}

/** The id of the site's lead identified with this email, or undefined. */
export async function visitorIdByEmail(db: Database, siteId: string, email: string): Promise<string | undefined> {
  return (await oldestLeadWithEmail(db, siteId, email))[0]?.id;
}
