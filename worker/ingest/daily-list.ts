import type { SiteRow, VisitorRow } from "../../schema";
import type { Database } from "../store/db";
import { dueLeads, leadsFrom, type DueCursor, type ScoreCursor } from "../store/due-leads";
import { listBefore, onList } from "../store/prospect-lists";
import { findRuleSet } from "../store/rules";
import { sitePredictor } from "./outcome-evidence";
import { byRank, prospectList, type ProspectRow } from "../scoring/prospects";

/** Rows per read while gathering the live list's candidates. */
const PAGE = 1_000;

/**
 * The live prospect list as of time `now` for a local date: who is over the threshold, new since the last
 * stored list. Reads O(returned + changed) rows: the leads stored at or above the threshold (the score
 * index) and the leads whose next change time has come (the next-change index), all evaluated at `now`.
 */
export async function liveProspectList(db: Database, site: SiteRow, date: string, now: number): Promise<ProspectRow[]> {
  const set = await findRuleSet(db, site.id, site.rulesVersion);
  // A site may score without a prospect list: no threshold, nobody on it.
  if (!set || set.rules.prospectAt === undefined) return [];
  const { prospectAt } = set.rules;
  const [previous, predict] = await Promise.all([listBefore(db, site.id, date), sitePredictor(db, site, set.rules, now)]);
  // Each page of candidates is evaluated as it is read and only its list lines are kept: a whole site's
  // candidate rows (score states) held at once do not fit an isolate's memory at a million leads.
  const rows: ProspectRow[] = [];
  const take = async (page: VisitorRow[]) => {
    const onPrevious = previous && page.length ? await onList(db, site.id, previous.date, page.map((v) => v.id)) : new Set<string>();
    for (const row of prospectList(page, set.rules, now, onPrevious, predict)) rows.push(row);
  };
  for (let after: ScoreCursor | undefined; ; ) {
    const page = await leadsFrom(db, site.id, prospectAt, PAGE, after);
    await take(page);
    const last = page[page.length - 1];
    if (page.length < PAGE || !last) break;
    after = { score: last.score, id: last.id };
  }
  for (let after: DueCursor | undefined; ; ) {
    const page = await dueLeads(db, site.id, now, PAGE, after, prospectAt);
    await take(page);
    const last = page[page.length - 1];
    if (page.length < PAGE || !last) break;
    after = { at: last.nextChangeAt as number, id: last.id };
  }
  return rows.sort(byRank);
}
