import { and, asc, eq, inArray, isNull, ne, or, sql } from "drizzle-orm";
import { events, sites, visitors, type EventRow, type VisitorRow } from "../../schema";
import type { ScoreState } from "../scoring/state";
import type { Database } from "./db";
import { abortIf, runGuarded, visitorsMoved } from "./guard";

/** A lead's own row and the rows of the visitors merged into it. */
export function leadGroup(db: Database, siteId: string, leadId: string): Promise<VisitorRow[]> {
  return db
    .select()
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), or(eq(visitors.id, leadId), eq(visitors.leadId, leadId))));
}

/** The oldest other lead (not merged into anyone) identified with this email, or undefined. */
export function otherLeadWithEmail(db: Database, siteId: string, email: string, exceptId: string): Promise<VisitorRow | undefined> {
  return db
    .select()
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), eq(visitors.email, email), isNull(visitors.leadId), ne(visitors.id, exceptId)))
    .orderBy(asc(visitors.firstSeen), asc(visitors.id))
    .limit(1)
    .get();
}

/** Every stored event of some visitors of a site. */
export function eventsOf(db: Database, siteId: string, visitorIds: string[]): Promise<EventRow[]> {
  return db
    .select()
    .from(events)
    .where(and(eq(events.siteId, siteId), inArray(events.visitorId, visitorIds)));
}

/** How a merged lead comes out: the kept row's new state, and the rows that now point at it. */
export interface MergeWrite {
  siteId: string;
  rulesVersion: number;
  keep: VisitorRow;
  state: ScoreState;
  score: number;
  lastSeq: number;
  /** Every other row of both groups, with the version it was read at. */
  merged: VisitorRow[];
  /** The two leads being made one (the kept one among them). */
  leadIds: [string, string];
}

/**
 * Makes one lead of two in a single batch: the kept row takes the replayed state; every other row of
 * both groups points at it and leaves the leaderboard. Aborts (StaleWrite) when any of them, or the rules,
 * moved since they were read.
 */
export async function commitMerge(db: Database, m: MergeWrite): Promise<void> {
  const all = [m.keep, ...m.merged];
  const [a, b] = m.leadIds;
  const groups = sql`id IN (${a}, ${b}) OR lead_id IN (${a}, ${b})`;
  const versionSum = all.reduce((sum, r) => sum + r.version, 0);
  const guard = abortIf(db, m.siteId, sql`${sites.rulesVersion} IS NOT ${m.rulesVersion} OR ${visitorsMoved(m.siteId, all.length, versionSum, groups)}`);
  const keep = db
    .update(visitors)
    .set({
      state: m.state,
      score: m.score,
      prospectSince: m.state.prospectSince,
      version: m.keep.version + 1,
      lastSeq: m.lastSeq,
      firstSeen: Math.min(...all.map((r) => r.firstSeen)),
      lastSeen: Math.max(...all.map((r) => r.lastSeen)),
      // The replayed history holds the outcomes of both.
      outcome: m.state.outcome?.outcome ?? null,
      outcomeAt: m.state.outcome?.at ?? null,
    })
    .where(and(eq(visitors.siteId, m.siteId), eq(visitors.id, m.keep.id)));
  const merged = m.merged.map((r) =>
    db
      .update(visitors)
      .set({ leadId: m.keep.id, score: 0, prospectSince: null, version: r.version + 1, outcome: null, outcomeAt: null })
      .where(and(eq(visitors.siteId, m.siteId), eq(visitors.id, r.id))),
  );
  await runGuarded(() => db.batch([guard, keep, ...merged]));
}
