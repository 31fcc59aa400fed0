import type { Database } from "../store/db";
import { StaleWrite } from "../store/guard";
import { siteHistory } from "../store/history";
import { commitRuleSet, visitorsSnapshot } from "../store/rules";
import { findSite, scoringSettings } from "../store/sites";
import type { SiteRow } from "../../schema";
import { replay } from "../scoring/engine";
import { totalScore } from "../scoring/evaluate";
import type { RuleSet } from "../scoring/rules";
import type { ScoreState } from "../scoring/state";
import { ApiError } from "../lib/errors";

/** Every visitor of a site scored from scratch under `rules` (scores as of `now`), with the states they have now. */
export async function rescoreSite(db: Database, site: SiteRow, rules: RuleSet, now: number) {
  const snapshot = await visitorsSnapshot(db, site.id);
  const history = await siteHistory(db, site.id, (id) => snapshot.leadOf.get(id) ?? id);
  const settings = scoringSettings(site);
  const rescored = new Map<string, { state: ScoreState; score: number }>();
  for (const id of snapshot.states.keys()) {
    const state = replay(history.get(id) ?? [], rules, settings);
    rescored.set(id, { state, score: totalScore(state, rules, now) });
  }
  return { snapshot, rescored };
}

const MAX_ATTEMPTS = 5;

/** Makes `rules` the site's rule set in force and rescores its stored history under them, atomically. */
export async function replaceRules(db: Database, site: SiteRow, rules: RuleSet, now: number): Promise<number> {
  let current: SiteRow | undefined = site;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) current = await findSite(db, site.id);
    if (!current) throw new ApiError("not_found", `unknown site "${site.id}"`);
    const { snapshot, rescored } = await rescoreSite(db, current, rules, now);
    try {
      return await commitRuleSet(db, current.id, current.rulesVersion, rules, snapshot, rescored, now);
    } catch (err) {
      if (!(err instanceof StaleWrite)) throw err;
    }
  }
  throw new ApiError("unavailable", "the site kept receiving events while rescoring; retry shortly", { "Retry-After": "1" });
}
