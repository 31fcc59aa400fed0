import type { SiteRow } from "../../schema";
import type { Database } from "../store/db";
import { listBefore } from "../store/prospect-lists";
import { findRuleSet } from "../store/rules";
import { visitorsFrom } from "../store/visitor-reads";
import { prospectList, type ProspectRow } from "../scoring/prospects";

/** The prospect list as it stands now for a local date: who is over the threshold, new since the last list. */
export async function liveProspectList(db: Database, site: SiteRow, date: string): Promise<ProspectRow[]> {
  const set = await findRuleSet(db, site.id, site.rulesVersion);
  if (!set) return [];
  const [candidates, previous] = await Promise.all([visitorsFrom(db, site.id, set.rules.prospectAt), listBefore(db, site.id, date)]);
  const previousIds = new Set((previous?.rows ?? []).map((r) => r.visitorId));
  return prospectList(candidates, set.rules, previousIds);
}
