import { and, asc, desc, eq, gte, isNotNull, isNull, lt, lte, sql } from "drizzle-orm";
import { visitors, type VisitorRow } from "../../schema";
import type { Database } from "./db";
import { statement } from "./raw";

/** Where a walk over the next-change index got to. */
export interface DueCursor {
  at: number;
  id: string;
}

/**
 * Leads whose score may have changed without an event by `now` (next_change_at <= now), in index order
 * after `after`, optionally only those stored below a score. Read off the partial next-change index: the
 * leads whose time has not come cost nothing.
 */
export function dueLeads(db: Database, siteId: string, now: number, limit: number, after?: DueCursor, belowScore?: number): Promise<VisitorRow[]> {
  return db
    .select()
    .from(visitors)
    .where(
      and(
        eq(visitors.siteId, siteId),
        isNull(visitors.leadId),
        isNotNull(visitors.nextChangeAt),
        lte(visitors.nextChangeAt, now),
        after ? sql`(${visitors.nextChangeAt}, ${visitors.id}) > (${after.at}, ${after.id})` : undefined,
        belowScore === undefined ? undefined : lt(visitors.score, belowScore),
      ),
    )
    .orderBy(asc(visitors.nextChangeAt), asc(visitors.id))
    .limit(limit);
}

/** Where a walk down the score index got to. */
export interface ScoreCursor {
  score: number;
  id: string;
}

/** Leads stored at or above a score, best first (ties by id, descending), a page after `after`: the score index. */
export function leadsFrom(db: Database, siteId: string, minScore: number, limit: number, after?: ScoreCursor): Promise<VisitorRow[]> {
  return db
    .select()
    .from(visitors)
    .where(
      and(
        eq(visitors.siteId, siteId),
        isNull(visitors.leadId),
        gte(visitors.score, minScore),
        after ? sql`(${visitors.score}, ${visitors.id}) < (${after.score}, ${after.id})` : undefined,
      ),
    )
    .orderBy(desc(visitors.score), desc(visitors.id))
    .limit(limit);
}

/** A lead's score columns as re-evaluated by a sweep, and the version they were computed from. */
export interface SweptScore {
  id: string;
  version: number;
  /** prospect_since as the sweep read it: the write lands only if no one changed it since. */
  was: number | null;
  score: number;
  since: number | null;
  next: number | null;
}

/**
 * One statement that stores a chunk of swept scores: each lands only on the version and prospect flag it
 * was read with (a lead written by an event meanwhile keeps its fresher columns; of two sweeps that found
 * the same crossing, one lands and notifies). Returns the ids that landed.
 *
 * Written as an upsert driven by the chunk's JSON so each lead is one key lookup (an UPDATE ... FROM
 * json_each walks the site's leads once per entry); the EXISTS keeps a lead erased meanwhile from coming
 * back, and the insert branch never runs.
 */
export function storeSweptScores(db: Database, siteId: string, swept: SweptScore[]): D1PreparedStatement {
  return statement(
    db,
    `INSERT INTO visitors (site_id, id, score, prospect_since, next_change_at, version, state, first_seen, last_seen)
     SELECT ?1, json_extract(value, '$.id'), json_extract(value, '$.score'), json_extract(value, '$.since'),
       json_extract(value, '$.next'), json_extract(value, '$.version'), '{}', 0, 0
     FROM json_each(?2)
     WHERE EXISTS (SELECT 1 FROM visitors AS v WHERE v.site_id = ?1 AND v.id = json_extract(value, '$.id')
       AND v.version = json_extract(value, '$.version') AND v.prospect_since IS json_extract(value, '$.was'))
     ON CONFLICT (site_id, id) DO UPDATE SET
       score = excluded.score, prospect_since = excluded.prospect_since, next_change_at = excluded.next_change_at
     WHERE visitors.version = excluded.version
     RETURNING id`,
    siteId,
    JSON.stringify(swept),
  );
}

/** How many leads a site has (the lead-only score index, so no row is read twice). */
export async function countLeads(db: Database, siteId: string): Promise<number> {
  const row = await db
    .select({ n: sql<number>`count(*)` })
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), isNull(visitors.leadId)))
    .get();
  return row?.n ?? 0;
}
