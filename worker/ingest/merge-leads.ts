import type { VisitorRow } from "../../schema";
import type { Database } from "../store/db";
import { StaleWrite } from "../store/guard";
import { inScoringOrder } from "../store/history";
import { commitMerge, eventsOf, leadGroup, otherLeadWithEmail } from "../store/leads";
import { scoringSettings, type SiteWithRules } from "../store/sites";
import { replay } from "../scoring/engine";
import { totalScore } from "../scoring/evaluate";
import { nextChangeAt } from "../scoring/next-change";
import { historyHasRoom, leadHistory } from "./lead-history";

// Identifies of one email from several browsers at once race to merge the same leads; each lost race
// means another merge landed, so a few more attempts (with jitter, so they do not collide in lockstep)
// always finish the job.
const MAX_ATTEMPTS = 20;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Two visitors with the same email are one lead: when `leadId` has just been identified with `email`
 * and another lead already has it, the older of the two keeps the score, the history of both is
 * replayed into it, and every visitor id of the other points at it from now on.
 */
export async function mergeByEmail(db: Database, { site, rules }: SiteWithRules, leadId: string, email: string, now: number): Promise<void> {
  let current = leadId;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const other = await otherLeadWithEmail(db, site.id, email, current);
    if (!other) return;
    const [mine, theirs] = await Promise.all([leadGroup(db, site.id, current), leadGroup(db, site.id, other.id)]);
    const own = mine.find((r) => r.id === current);
    if (!own) return;
    // A concurrent merge made this lead part of another: go on from that one.
    if (own.leadId !== null) {
      current = own.leadId;
      continue;
    }
    const roots = [own, theirs.find((r) => r.id === other.id)];
    if (!roots[1]) return;
    roots.sort((a, b) => (a?.firstSeen ?? 0) - (b?.firstSeen ?? 0) || ((a?.id ?? "") < (b?.id ?? "") ? -1 : 1));
    const keep = roots[0] as VisitorRow;
    const all = [...mine, ...theirs];
    const rows = await eventsOf(db, site.id, all.map((r) => r.id));
    // One lead may keep only so many events (lead-history.ts): two that would pass it together stay apart.
    if (!historyHasRoom(0, rows.length)) {
      console.warn(`leads ${current} and ${other.id} of site ${site.id} share an email but keep ${rows.length} events together, over ${leadHistory.max}: left apart`);
      return;
    }
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
        storedEvents: rows.length,
        merged: all.filter((r) => r.id !== keep.id),
        leadIds: [current, other.id],
      });
      return;
    } catch (err) {
      if (!(err instanceof StaleWrite)) throw err;
      await sleep(Math.random() * Math.min(50, 2 ** Math.min(attempt, 6)));
    }
  }
  // The identify itself is stored and the two leads stay apart: both rows now carry the email, so a later
  // identify with it does not try again.
  console.warn(`could not merge leads with the same email on site ${site.id} after ${MAX_ATTEMPTS} attempts`);
}
