import type { SiteRow, VisitorRow } from "../../schema";
import type { Database } from "../store/db";
import { inScoringOrder } from "../store/history";
import { eventsOf, leadGroup } from "../store/leads";
import { scoringSettings } from "../store/sites";
import { rescoredLeadWrite } from "../store/visitor-writes";
import { replay } from "../scoring/engine";
import { totalScore } from "../scoring/evaluate";
import { nextChangeAt } from "../scoring/next-change";
import type { RuleSet } from "../scoring/rules";
import type { ScoreState } from "../scoring/state";

/** A lead's stored history replayed under a rule set. */
export interface LeadReplay {
  state: ScoreState;
  /** The highest sequence number the lead has given out (rows and events). */
  lastSeq: number;
}

/**
 * Replays every stored event of a lead (all its visitor ids, in scoring order) under `rules`. Reads the
 * lead's own rows and events only: the key, the lead_id index and each visitor's event range.
 */
export async function replayLead(db: Database, site: SiteRow, rules: RuleSet, leadId: string): Promise<LeadReplay> {
  const group = await leadGroup(db, site.id, leadId);
  const rows = await eventsOf(db, site.id, group.map((r) => r.id));
  const state = replay(inScoringOrder(rows), rules, scoringSettings(site));
  let lastSeq = 0;
  for (const r of group) lastSeq = Math.max(lastSeq, r.lastSeq);
  for (const e of rows) lastSeq = Math.max(lastSeq, e.seq);
  return { state, lastSeq };
}

/** One lead rescored: its new row values, and the statement that stores them. */
export interface LeadRescore extends LeadReplay {
  id: string;
  score: number;
  nextChangeAt: number | null;
  rulesVersion: number;
  /**
   * Stores the rescored row only if the lead is still at the version it was read at (meta.changes is 1
   * then, 0 otherwise). A lead written meanwhile was rescored by that write itself (see scoreBatch), so a
   * job can batch many of these and simply skip the ones that did not land.
   */
  write: ReturnType<typeof rescoredLeadWrite>;
}

/**
 * Rescores ONE lead from its stored events under the site's rule set in force (`rules` must be the rule set
 * of `site.rulesVersion`), scores as of `now`. Shared by the write path (a lead still under an older
 * version is replayed before its new events apply) and the background rescore job.
 */
export async function rescoreLead(db: Database, site: SiteRow, rules: RuleSet, lead: VisitorRow, now: number): Promise<LeadRescore> {
  const { state, lastSeq } = await replayLead(db, site, rules, lead.id);
  const values = {
    state,
    score: totalScore(state, rules, now),
    prospectSince: state.prospectSince,
    nextChangeAt: nextChangeAt(state, rules, now),
    rulesVersion: site.rulesVersion,
    lastSeq,
  };
  return { id: lead.id, ...values, write: rescoredLeadWrite(db, site.id, lead.id, lead.version, values, lead.account) };
}
