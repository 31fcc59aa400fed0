import type { SiteRow } from "../../schema";
import type { Database } from "../store/db";
import { inScoringOrder } from "../store/history";
import { eventsOf, leadGroup } from "../store/leads";
import { scoringSettings } from "../store/sites";
import { replay } from "../scoring/engine";
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
