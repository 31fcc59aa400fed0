import { and, eq, inArray, sql } from "drizzle-orm";
import { events, sites, visitors, type EventRow, type VisitorRow } from "../../schema";
import { accountOf } from "../scoring/accounts";
import type { ScoreState } from "../scoring/state";
import type { Database } from "./db";
import { abortIf, runGuarded, visitorsMoved } from "./guard";
import { idsWhere, oldestLeadWithEmail } from "./visitor-reads";
import { chunks } from "../lib/chunks";
import { jsonIdList } from "./json-ids";

/**
 * A lead's own row and the rows of the visitors merged into it: one key lookup plus the lead_id index, so
 * it reads the lead's rows only (an `id = ? OR lead_id = ?` would scan the site).
 */
export async function leadGroup(db: Database, siteId: string, leadId: string): Promise<VisitorRow[]> {
  const [own, merged] = await db.batch([
    db.select().from(visitors).where(and(eq(visitors.siteId, siteId), eq(visitors.id, leadId))),
    db.select().from(visitors).where(and(eq(visitors.siteId, siteId), idsWhere(db, siteId, eq(visitors.leadId, leadId)))),
  ]);
  return [...own, ...merged];
}

/** The oldest other lead (not merged into anyone) identified with this email, or undefined. */
export async function otherLeadWithEmail(db: Database, siteId: string, email: string, exceptId: string): Promise<VisitorRow | undefined> {
  return (await oldestLeadWithEmail(db, siteId, email, exceptId))[0];
}

// D1 binds at most 100 parameters per statement.
const IDS_PER_QUERY = 90;

/** Every stored event of some visitors of a site. */
export async function eventsOf(db: Database, siteId: string, visitorIds: string[]): Promise<EventRow[]> {
  const out: EventRow[] = [];
  for (const ids of chunks(visitorIds, IDS_PER_QUERY)) {
    out.push(...(await db.select().from(events).where(and(eq(events.siteId, siteId), inArray(events.visitorId, ids)))));
  }
  return out;
}

/** How a merged lead comes out: the kept row's new state, and the rows that now point at it. */
export interface MergeWrite {
  siteId: string;
  rulesVersion: number;
  keep: VisitorRow;
  state: ScoreState;
  score: number;
  /** See visitors.nextChangeAt. */
  nextChangeAt: number | null;
  lastSeq: number;
  /** The events of both groups, which the kept row now keeps (see visitors.storedEvents). */
  storedEvents: number;
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
  // Both groups by key and the lead_id index (an OR over id and lead_id would scan the site's visitors).
  const groups = sql`id IN (SELECT ${a} UNION SELECT ${b} UNION SELECT id FROM visitors WHERE site_id = ${m.siteId} AND lead_id IN (${a}, ${b}))`;
  const versionSum = all.reduce((sum, r) => sum + r.version, 0);
  const guard = abortIf(db, m.siteId, sql`${sites.rulesVersion} IS NOT ${m.rulesVersion} OR ${visitorsMoved(m.siteId, all.length, versionSum, groups)}`);
  const keep = db
    .update(visitors)
    .set({
      state: m.state,
      score: m.score,
      prospectSince: m.state.prospectSince,
      rulesVersion: m.rulesVersion,
      nextChangeAt: m.nextChangeAt,
      version: m.keep.version + 1,
      lastSeq: m.lastSeq,
      firstSeen: Math.min(...all.map((r) => r.firstSeen)),
      lastSeen: Math.max(...all.map((r) => r.lastSeen)),
      // The replayed history holds the outcomes of both.
      outcome: m.state.outcome?.outcome ?? null,
      outcomeAt: m.state.outcome?.at ?? null,
      account: accountOf(m.state),
      storedEvents: m.storedEvents,
    })
    .where(and(eq(visitors.siteId, m.siteId), eq(visitors.id, m.keep.id)));
  // Every other row in one statement whatever their number (a person who cleared cookies often has many
  // visitor ids). The guard has checked their versions.
  const merged = db
    .update(visitors)
    .set({ leadId: m.keep.id, score: 0, prospectSince: null, nextChangeAt: null, version: sql`${visitors.version} + 1`, outcome: null, outcomeAt: null, account: null, storedEvents: null })
    .where(and(eq(visitors.siteId, m.siteId), sql`${visitors.id} IN ${jsonIdList(m.merged.map((r) => r.id))}`));
  await runGuarded(() => db.batch([guard, keep, merged]));
}
