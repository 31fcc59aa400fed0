import { and, eq, inArray, sql } from "drizzle-orm";
import { erasedVisitors, events, sites, visitors, type EventRow, type VisitorRow } from "../../schema";
import type { ScoreState } from "../scoring/state";
import type { Database } from "./db";
import { abortIf, runGuarded } from "./guard";
import { siteWithRulesQuery, type SiteWithRules } from "./sites";

/** Everything the write path reads before scoring a batch: a fixed number of rows, whatever the history. */
export interface ScoringInput {
  site: SiteWithRules | undefined;
  visitor: VisitorRow | undefined;
  /** Which of the batch's event ids are already stored. */
  knownIds: Set<string>;
  /** The visitor id was erased and may not be tracked again. */
  erased: boolean;
}

/**
 * Reads site, rules, visitor state, already-stored ids and the erasure tombstone in one round trip.
 * `visitorHash` is the hex SHA-256 of the visitor id (tombstones keep only that).
 */
export async function loadScoringInput(db: Database, siteId: string, visitorId: string, visitorHash: string, eventIds: string[]): Promise<ScoringInput> {
  const [site, visitor, known, tombstone] = await db.batch([
    siteWithRulesQuery(db, siteId),
    db.select().from(visitors).where(and(eq(visitors.siteId, siteId), eq(visitors.id, visitorId))),
    db
      .select({ id: events.id })
      .from(events)
      .where(and(eq(events.siteId, siteId), eq(events.visitorId, visitorId), inArray(events.id, eventIds))),
    db
      .select({ at: erasedVisitors.erasedAt })
      .from(erasedVisitors)
      .where(and(eq(erasedVisitors.siteId, siteId), eq(erasedVisitors.visitorHash, visitorHash))),
  ]);
  return { site: site[0], visitor: visitor[0], knownIds: new Set(known.map((k) => k.id)), erased: tombstone.length > 0 };
}

/** What one scored batch changes: the new events and the visitor's new state. */
export interface ScoredWrite {
  siteId: string;
  visitorId: string;
  /** Hex SHA-256 of the visitor id: an erasure landing first aborts the write. */
  visitorHash: string;
  rulesVersion: number;
  /** The visitor's version as read, or null for a visitor seen for the first time. */
  readVersion: number | null;
  state: ScoreState;
  firstSeen: number;
  lastSeen: number;
  source: Record<string, string> | null;
  /** The visitor's rate-limit window after this write. */
  windowStart: number;
  windowEvents: number;
  events: EventRow[];
}

// D1 binds at most 100 parameters per statement; an event row binds 9.
const ROWS_PER_INSERT = 11;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Writes a scored batch atomically: nothing lands unless the visitor and rules are still as they were read
 * and the visitor was not erased meanwhile; a concurrent insert of the same event id aborts it too. Throws StaleWrite in both cases, so the
 * caller can read again and rescore.
 */
export async function commitScored(db: Database, w: ScoredWrite): Promise<void> {
  const score = w.state.total;
  const prospectSince = w.state.prospectSince;
  const visitorWrite =
    w.readVersion === null
      ? db.insert(visitors).values({
          siteId: w.siteId,
          id: w.visitorId,
          score,
          prospectSince,
          state: w.state,
          version: 1,
          firstSeen: w.firstSeen,
          lastSeen: w.lastSeen,
          source: w.source,
          windowStart: w.windowStart,
          windowEvents: w.windowEvents,
        })
      : db
          .update(visitors)
          .set({ score, prospectSince, state: w.state, version: w.readVersion + 1, lastSeen: w.lastSeen, windowStart: w.windowStart, windowEvents: w.windowEvents })
          .where(and(eq(visitors.siteId, w.siteId), eq(visitors.id, w.visitorId)));
  const eventWrites = chunks(w.events, ROWS_PER_INSERT).map((rows) => db.insert(events).values(rows));
  const guard = abortIf(
    db,
    w.siteId,
    sql`${sites.rulesVersion} IS NOT ${w.rulesVersion}
      OR (SELECT version FROM visitors WHERE site_id = ${w.siteId} AND id = ${w.visitorId}) IS NOT ${w.readVersion}
      OR EXISTS (SELECT 1 FROM erased_visitors WHERE site_id = ${w.siteId} AND visitor_hash = ${w.visitorHash})`,
  );
  await runGuarded(() => db.batch([guard, ...eventWrites, visitorWrite]));
}
