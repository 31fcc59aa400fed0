import { and, eq, inArray, sql } from "drizzle-orm";
import { events, sites, visitors, type EventRow, type VisitorRow } from "../../schema";
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
}

/** Reads site, rules, visitor state and already-stored ids in one round trip. */
export async function loadScoringInput(db: Database, siteId: string, visitorId: string, eventIds: string[]): Promise<ScoringInput> {
  const [site, visitor, known] = await db.batch([
    siteWithRulesQuery(db, siteId),
    db.select().from(visitors).where(and(eq(visitors.siteId, siteId), eq(visitors.id, visitorId))),
    db
      .select({ id: events.id })
      .from(events)
      .where(and(eq(events.siteId, siteId), eq(events.visitorId, visitorId), inArray(events.id, eventIds))),
  ]);
  return { site: site[0], visitor: visitor[0], knownIds: new Set(known.map((k) => k.id)) };
}

/** What one scored batch changes: the new events and the visitor's new state. */
export interface ScoredWrite {
  siteId: string;
  visitorId: string;
  rulesVersion: number;
  /** The visitor's version and email as read; version null for a visitor seen for the first time. */
  readVersion: number | null;
  readEmail: string | null;
  state: ScoreState;
  /** The score as of the write, kept in a column for the leaderboard's index. */
  score: number;
  firstSeen: number;
  lastSeen: number;
  source: Record<string, string> | null;
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
 * Writes a scored batch atomically: nothing lands unless the visitor and rules are still as they were read,
 * and a concurrent insert of the same event id aborts it too. Throws StaleWrite in both cases, so the
 * caller can read again and rescore.
 */
export async function commitScored(db: Database, w: ScoredWrite): Promise<void> {
  const { score } = w;
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
          email: w.state.email,
        })
      : db
          .update(visitors)
          .set({
            score,
            prospectSince,
            state: w.state,
            version: w.readVersion + 1,
            lastSeen: w.lastSeen,
            // Naming the email column only when it changes keeps its index out of ordinary writes.
            ...(w.state.email !== w.readEmail ? { email: w.state.email } : {}),
          })
          .where(and(eq(visitors.siteId, w.siteId), eq(visitors.id, w.visitorId)));
  const eventWrites = chunks(w.events, ROWS_PER_INSERT).map((rows) => db.insert(events).values(rows));
  const guard = abortIf(
    db,
    w.siteId,
    sql`${sites.rulesVersion} IS NOT ${w.rulesVersion}
      OR (SELECT version FROM visitors WHERE site_id = ${w.siteId} AND id = ${w.visitorId}) IS NOT ${w.readVersion}`,
  );
  await runGuarded(() => db.batch([guard, ...eventWrites, visitorWrite]));
}

/** A visitor's score columns as of a sweep, and the version they were computed from. */
export interface ScoreRefresh {
  id: string;
  version: number;
  score: number;
  prospectSince: number | null;
}

/**
 * Writes re-evaluated scores (decay, absence rules) into the score columns. A visitor written by an event
 * since it was read keeps its own, fresher columns: the update only lands on the version it was read at.
 */
export async function refreshScores(db: Database, siteId: string, refreshes: ScoreRefresh[]): Promise<void> {
  const updates = refreshes.map((r) =>
    db
      .update(visitors)
      .set({ score: r.score, prospectSince: r.prospectSince })
      .where(and(eq(visitors.siteId, siteId), eq(visitors.id, r.id), eq(visitors.version, r.version))),
  );
  for (let i = 0; i < updates.length; i += 100) {
    const chunk = updates.slice(i, i + 100);
    if (chunk.length > 0) await db.batch(chunk as [(typeof chunk)[number], ...typeof chunk]);
  }
}
