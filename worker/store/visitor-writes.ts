import { and, eq, inArray, or, sql } from "drizzle-orm";
import { erasedVisitors, events, sites, visitors, type EventRow, type VisitorRow } from "../../schema";
import type { ScoreState } from "../scoring/state";
import type { Database } from "./db";
import { abortIf, runGuarded } from "./guard";
import { siteWithRulesQuery, storedRuleSet, type SiteWithRules } from "./sites";

/** Everything the write path reads before scoring a batch: a fixed number of rows, whatever the history. */
export interface ScoringInput {
  site: SiteWithRules | undefined;
  /** The visitor the events came from, and the lead that holds its score (the same row unless merged). */
  visitor: VisitorRow | undefined;
  lead: VisitorRow | undefined;
  /** Which of the batch's event ids are already stored. */
  knownIds: Set<string>;
  /** The visitor id was erased and may not be tracked again. */
  erased: boolean;
}

/**
 * Reads site, rules, visitor and lead state, already-stored ids and the erasure tombstone in one round
 * trip. `visitorHash` is the hex SHA-256 of the visitor id (tombstones keep only that).
 */
export async function loadScoringInput(db: Database, siteId: string, visitorId: string, visitorHash: string, eventIds: string[]): Promise<ScoringInput> {
  const leadOf = db.select({ leadId: visitors.leadId }).from(visitors).where(and(eq(visitors.siteId, siteId), eq(visitors.id, visitorId)));
  const [site, rows, known, tombstone] = await db.batch([
    siteWithRulesQuery(db, siteId),
    db
      .select()
      .from(visitors)
      .where(and(eq(visitors.siteId, siteId), or(eq(visitors.id, visitorId), eq(visitors.id, sql`(${leadOf})`)))),
    db
      .select({ id: events.id })
      .from(events)
      .where(and(eq(events.siteId, siteId), eq(events.visitorId, visitorId), inArray(events.id, eventIds))),
    db
      .select({ at: erasedVisitors.erasedAt })
      .from(erasedVisitors)
      .where(and(eq(erasedVisitors.siteId, siteId), eq(erasedVisitors.visitorHash, visitorHash))),
  ]);
  const visitor = rows.find((r) => r.id === visitorId);
  // A lead that is gone (erased) leaves its former alias to score on its own row.
  const lead = (visitor?.leadId ? rows.find((r) => r.id === visitor.leadId) : undefined) ?? visitor;
  const found = site[0];
  return {
    site: found ? { site: found.site, rules: storedRuleSet(found.rulesJson) } : undefined,
    visitor,
    lead,
    knownIds: new Set(known.map((k) => k.id)),
    erased: tombstone.length > 0,
  };
}

/** What one scored batch changes: the new events and the lead's new state. */
export interface ScoredWrite {
  siteId: string;
  /** The row that holds the score: the visitor itself, or the lead it was merged into. */
  leadId: string;
  /** Hex SHA-256 of the visitor id: an erasure landing first aborts the write. */
  visitorHash: string;
  rulesVersion: number;
  /** The lead's version and email as read; version null for a visitor seen for the first time. */
  readVersion: number | null;
  readEmail: string | null;
  /** The highest event sequence number given out, the new events included. */
  lastSeq: number;
  state: ScoreState;
  /** The score as of the write, kept in a column for the leaderboard's index. */
  score: number;
  /** See visitors.nextChangeAt, as of the write. */
  nextChangeAt: number | null;
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
  const { score } = w;
  const prospectSince = w.state.prospectSince;
  const visitorWrite =
    w.readVersion === null
      ? db.insert(visitors).values({
          siteId: w.siteId,
          id: w.leadId,
          score,
          prospectSince,
          state: w.state,
          rulesVersion: w.rulesVersion,
          nextChangeAt: w.nextChangeAt,
          version: 1,
          firstSeen: w.firstSeen,
          lastSeen: w.lastSeen,
          source: w.source,
          email: w.state.email,
          lastSeq: w.lastSeq,
          windowStart: w.windowStart,
          windowEvents: w.windowEvents,
        })
      : db
          .update(visitors)
          .set({
            score,
            prospectSince,
            state: w.state,
            rulesVersion: w.rulesVersion,
            nextChangeAt: w.nextChangeAt,
            version: w.readVersion + 1,
            lastSeen: w.lastSeen,
            lastSeq: w.lastSeq,
            windowStart: w.windowStart,
            windowEvents: w.windowEvents,
            // Naming the email column only when it changes keeps its index out of ordinary writes.
            ...(w.state.email !== w.readEmail ? { email: w.state.email } : {}),
          })
          .where(and(eq(visitors.siteId, w.siteId), eq(visitors.id, w.leadId)));
  const eventWrites = chunks(w.events, ROWS_PER_INSERT).map((rows) => db.insert(events).values(rows));
  const guard = abortIf(
    db,
    w.siteId,
    sql`${sites.rulesVersion} IS NOT ${w.rulesVersion}
      OR (SELECT version FROM visitors WHERE site_id = ${w.siteId} AND id = ${w.leadId}) IS NOT ${w.readVersion}
      OR EXISTS (SELECT 1 FROM erased_visitors WHERE site_id = ${w.siteId} AND visitor_hash = ${w.visitorHash})`,
  );
  await runGuarded(() => db.batch([guard, ...eventWrites, visitorWrite]));
}

/** A visitor's score columns as of a sweep, and the version they were computed from. */
export interface ScoreRefresh {
  id: string;
  version: number;
  score: number;
  prospectSince: number | null;
  /** When given, the row's next change time as of the sweep (see visitors.nextChangeAt). */
  nextChangeAt?: number | null;
}

/**
 * Writes re-evaluated scores (decay, absence rules) into the score columns. A visitor written by an event
 * since it was read keeps its own, fresher columns: the update only lands on the version it was read at.
 */
export async function refreshScores(db: Database, siteId: string, refreshes: ScoreRefresh[]): Promise<void> {
  const updates = refreshes.map((r) =>
    db
      .update(visitors)
      .set({ score: r.score, prospectSince: r.prospectSince, ...(r.nextChangeAt !== undefined ? { nextChangeAt: r.nextChangeAt } : {}) })
      .where(and(eq(visitors.siteId, siteId), eq(visitors.id, r.id), eq(visitors.version, r.version))),
  );
  for (const chunk of chunks(updates, 100)) await db.batch(chunk as [(typeof chunk)[number], ...typeof chunk]);
}

/** The row values a lead rescored from its events takes. */
export interface RescoredValues {
  state: ScoreState;
  score: number;
  prospectSince: number | null;
  nextChangeAt: number | null;
  rulesVersion: number;
  lastSeq: number;
}

/** An update that stores a rescored lead only while the row is still at `readVersion` (see rescoreLead). */
export function rescoredLeadWrite(db: Database, siteId: string, leadId: string, readVersion: number, v: RescoredValues) {
  return db
    .update(visitors)
    .set({ ...v, version: readVersion + 1 })
    .where(and(eq(visitors.siteId, siteId), eq(visitors.id, leadId), eq(visitors.version, readVersion)));
}
