import type { SiteRow, VisitorRow } from "../../schema";
import type { Database } from "../store/db";
import { dueLeads, leadsFrom, type DueCursor, type ScoreCursor } from "../store/due-leads";
import { listBefore, onList } from "../store/prospect-lists";
import { findRuleSet } from "../store/rules";
import { prospectList, type ProspectRow } from "../scoring/prospects";

/** Rows per read while gathering the live list's candidates. */
const PAGE = 1_000;

/**
 * The live prospect list as of time `now` for a local date: who is over the threshold, new since the last
 * stored list. Reads O(returned + changed) rows: the leads stored at or above the threshold (the score
 * index) and the leads whose next change time has come (the next-change index), all evaluated at `now`.
 */
export async function liveProspectList(db: Database, site: SiteRow, date: string, now: number): Promise<ProspectRow[]> {
  const set = await findRuleSet(db, site.id, site.rulesVersion);
  if (!set) return [];
  const { prospectAt } = set.rules;
  const candidates: VisitorRow[] = [];
  for (let after: ScoreCursor | undefined; ; ) {
    const page = await leadsFrom(db, site.id, prospectAt, PAGE, after);
    candidates.push(...page);
    const last = page[page.length - 1];
    if (page.length < PAGE || !last) break;
    after = { score: last.score, id: last.id };
  }
  for (let after: DueCursor | undefined; ; ) {
    const page = await dueLeads(db, site.id, now, PAGE, after, prospectAt);
    candidates.push(...page);
    const last = page[page.length - 1];
    if (page.length < PAGE || !last) break;
    after = { at: last.nextChangeAt as number, id: last.id };
  }
  const previous = await listBefore(db, site.id, date);
  const onPrevious = new Set<string>();
  if (previous) {
    for (let i = 0; i < candidates.length; i += PAGE) {
      for (const id of await onList(db, site.id, previous.date, candidates.slice(i, i + PAGE).map((v) => v.id))) onPrevious.add(id);
    }
  }
  return prospectList(candidates, set.rules, now, onPrevious);
}
