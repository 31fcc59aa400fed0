import type { SiteRow } from "../../schema";
import type { Database } from "../store/db";
import { listBefore } from "../store/prospect-lists";
import { findRuleSet } from "../store/rules";
import { allVisitors, visitorsFrom } from "../store/visitor-reads";
import { compile } from "../scoring/compile";
import { sitePredictor } from "./outcome-evidence";
import { prospectList, type ProspectRow } from "../scoring/prospects";

/**
 * The prospect list as of time `now` for a local date: who is over the threshold, new since the last list.
 * When scores move with time alone (decay, absence rules) every visitor is evaluated; otherwise the
 * score index picks the candidates.
 */
export async function liveProspectList(db: Database, site: SiteRow, date: string, now: number): Promise<ProspectRow[]> {
  const set = await findRuleSet(db, site.id, site.rulesVersion);
  // A site may score without a prospect list: no threshold, nobody on it.
  if (!set || set.rules.prospectAt === undefined) return [];
  const candidates = compile(set.rules).timeDependent ? allVisitors(db, site.id) : visitorsFrom(db, site.id, set.rules.prospectAt);
  const [visitors, previous, predict] = await Promise.all([candidates, listBefore(db, site.id, date), sitePredictor(db, site, set.rules, now)]);
  const previousIds = new Set((previous?.rows ?? []).map((r) => r.visitorId));
  return prospectList(visitors, set.rules, now, previousIds, predict);
}
