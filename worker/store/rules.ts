import { and, eq, sql } from "drizzle-orm";
import { ruleSets, sites, visitors } from "../../schema";
import type { RuleSet } from "../scoring/rules";
import type { ScoreState } from "../scoring/state";
import type { Database } from "./db";
import { abortIf, runGuarded, visitorsMoved } from "./guard";

/** A rule set version as stored. */
export async function findRuleSet(db: Database, siteId: string, version: number) {
  return db.select().from(ruleSets).where(and(eq(ruleSets.siteId, siteId), eq(ruleSets.version, version))).get();
}

/** What the site's visitors look like at one moment: rescoring only lands if nothing moved since. */
export interface VisitorsSnapshot {
  count: number;
  versionSum: number;
  /** Leads (visitors not merged into another) and their states. */
  states: Map<string, { version: number; state: ScoreState }>;
  /** Merged visitor id -> the lead it counts for. */
  leadOf: Map<string, string>;
}

/** Reads every visitor's state with the fingerprint that guards a rescore. */
export async function visitorsSnapshot(db: Database, siteId: string): Promise<VisitorsSnapshot> {
  const rows = await db
    .select({ id: visitors.id, version: visitors.version, state: visitors.state, leadId: visitors.leadId })
    .from(visitors)
    .where(eq(visitors.siteId, siteId));
  return {
    count: rows.length,
    versionSum: rows.reduce((sum, r) => sum + r.version, 0),
    states: new Map(rows.filter((r) => r.leadId === null).map((r) => [r.id, { version: r.version, state: r.state }])),
    leadOf: new Map(rows.flatMap((r) => (r.leadId === null ? [] : [[r.id, r.leadId] as const]))),
  };
}

/**
 * Stores a new rule set version and every visitor's rescored state in one batch. It aborts (StaleWrite
 * from the guard's error) when the rules or any visitor moved after the snapshot was read.
 */
export async function commitRuleSet(
  db: Database,
  siteId: string,
  fromVersion: number,
  rules: RuleSet,
  snapshot: VisitorsSnapshot,
  rescored: Map<string, { state: ScoreState; score: number }>,
  now: number,
): Promise<number> {
  const version = fromVersion + 1;
  const guard = abortIf(
    db,
    siteId,
    sql`${sites.rulesVersion} IS NOT ${fromVersion} OR ${visitorsMoved(siteId, snapshot.count, snapshot.versionSum)}`,
  );
  const updates = [...rescored].map(([id, { state, score }]) =>
    db
      .update(visitors)
      // Scored under the new version; when the score next moves is for the next sweep to work out (0: due).
      .set({ state, score, prospectSince: state.prospectSince, rulesVersion: version, nextChangeAt: 0, version: sql`${visitors.version} + 1` })
      .where(and(eq(visitors.siteId, siteId), eq(visitors.id, id))),
  );
  await runGuarded(() =>
    db.batch([
      guard,
      db.insert(ruleSets).values({ siteId, version, rules, createdAt: now }),
      db.update(sites).set({ rulesVersion: version }).where(eq(sites.id, siteId)),
      ...updates,
    ]),
  );
  return version;
}
