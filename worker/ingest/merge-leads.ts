import type { Database } from "../store/db";
import { StaleWrite } from "../store/guard";
import { inScoringOrder } from "../store/history";
import { commitMerge, eventsOf, leadGroup, otherLeadWithEmail } from "../store/leads";
import { scoringSettings, type SiteWithRules } from "../store/sites";
import { replay } from "../scoring/engine";
import { totalScore } from "../scoring/evaluate";
import { nextChangeAt } from "../scoring/next-change";

const MAX_ATTEMPTS = 5;

/**
 * Two visitors with the same email are one lead: when `leadId` has just been identified with `email`
 * and another lead already has it, the older of the two keeps the score, the history of both is
 * replayed into it, and every visitor id of the other points at it from now on.
 */
export async function mergeByEmail(db: Database, { site, rules }: SiteWithRules, leadId: string, email: string, now: number): Promise<void> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const other = await otherLeadWithEmail(db, site.id, email, leadId);
    if (!other) return;
    const [mine, theirs] = await Promise.all([leadGroup(db, site.id, leadId), leadGroup(db, site.id, other.id)]);
    const roots = [mine.find((r) => r.id === leadId), theirs.find((r) => r.id === other.id)];
    if (!roots[0] || !roots[1]) return;
    roots.sort((a, b) => (a?.firstSeen ?? 0) - (b?.firstSeen ?? 0) || ((a?.id ?? "") < (b?.id ?? "") ? -1 : 1));
    const keep = roots[0];
    const all = [...mine, ...theirs];
    const rows = await eventsOf(db, site.id, all.map((r) => r.id));
    const state = replay(inScoringOrder(rows), rules, scoringSettings(site));
    try {
      await commitMerge(db, {
        siteId: site.id,
        rulesVersion: site.rulesVersion,
        keep,
        state,
        score: totalScore(state, rules, now),
        nextChangeAt: nextChangeAt(state, rules, now),
        lastSeq: Math.max(...all.map((r) => r.lastSeq), ...rows.map((r) => r.seq)),
        merged: all.filter((r) => r.id !== keep.id),
        leadIds: [leadId, other.id],
      });
      return;
    } catch (err) {
      if (!(err instanceof StaleWrite)) throw err;
    }
  }
  // The identify itself is stored; the two leads stay apart until the email is identified again.
  console.warn(`could not merge leads with the same email on site ${site.id} after ${MAX_ATTEMPTS} attempts`);
}
