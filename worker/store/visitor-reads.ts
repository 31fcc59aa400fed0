import { and, asc, desc, eq, gt, gte, isNull, lt, or } from "drizzle-orm";
import { visitors, type VisitorRow } from "../../schema";
import type { Database } from "./db";

/** Where a leaderboard page starts: after this score and id. */
export interface LeaderboardCursor {
  score: number;
  id: string;
}

/** Leads by score, best first (ties by id), after an optional cursor; served from the score index. */
export function leaderboard(db: Database, siteId: string, limit: number, after?: LeaderboardCursor): Promise<VisitorRow[]> {
  const page = after
    ? or(lt(visitors.score, after.score), and(eq(visitors.score, after.score), gt(visitors.id, after.id)))
    : undefined;
  return db
    .select()
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), isNull(visitors.leadId), page))
    .orderBy(desc(visitors.score), asc(visitors.id))
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

/** The id of the site's lead identified with this email, or undefined. */
export async function visitorIdByEmail(db: Database, siteId: string, email: string): Promise<string | undefined> {
  const row = await db
    .select({ id: visitors.id })
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), eq(visitors.email, email.toLowerCase()), isNull(visitors.leadId)))
    .orderBy(asc(visitors.firstSeen), asc(visitors.id))
    .limit(1)
    .get();
  return row?.id;
}
