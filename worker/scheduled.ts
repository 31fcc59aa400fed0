import type { SiteRow } from "../schema";
import type { Database } from "./store/db";
import { listSites } from "./store/sites";
import { storedList, storeList } from "./store/prospect-lists";
import { findRuleSet } from "./store/rules";
import { purgeEventsBefore } from "./store/retention";
import { allVisitors } from "./store/visitor-reads";
import { refreshScores, type ScoreRefresh } from "./store/visitor-writes";
import { liveProspectList } from "./ingest/daily-list";
import { recordSiteDay } from "./ingest/site-day";
import { compile } from "./scoring/compile";
import { totalScore } from "./scoring/evaluate";
import { localDay, localHour } from "./scoring/local-day";
import { DAY_MS } from "./scoring/decay";

/** What one scheduled run did. */
export interface ScheduledRun {
  /** Lists stored, as "site/date". */
  stored: string[];
  /** Raw events purged past each site's retention, by site. */
  purged: Record<string, number>;
}

/**
 * Re-evaluates every visitor of a site whose scores move with time (decay, absence rules) and stores
 * the scores that changed, so the leaderboard's order and prospect-since times follow. A crossing found
 * here is dated by this sweep.
 */
export async function sweepScores(db: Database, site: SiteRow, now: number): Promise<number> {
  const set = await findRuleSet(db, site.id, site.rulesVersion);
  if (!set || !compile(set.rules).timeDependent) return 0;
  const refreshes: ScoreRefresh[] = [];
  for (const v of await allVisitors(db, site.id)) {
    const score = totalScore(v.state, set.rules, now);
    const prospectSince = score >= set.rules.prospectAt ? (v.prospectSince ?? now) : null;
    if (score !== v.score || prospectSince !== v.prospectSince) refreshes.push({ id: v.id, version: v.version, score, prospectSince });
  }
  await refreshScores(db, site.id, refreshes);
  return refreshes.length;
}

/**
 * The hourly cron: once a site's local list hour has come, sweeps its time-dependent scores and stores
 * the day's prospect list and the day's figures for the console. A missed hour is caught up on the next run; a stored list is never rewritten.
 * Right after, the site's raw events older than its retention are purged (once a day per site).
 */
export async function storeDueLists(db: Database, now: number): Promise<ScheduledRun> {
  const run: ScheduledRun = { stored: [], purged: {} };
  for (const site of await listSites(db)) {
    if (localHour(now, site.timezone) < site.listHour) continue;
    const date = localDay(now, site.timezone);
    if (await storedList(db, site.id, date)) continue;
    await sweepScores(db, site, now);
    const list = await liveProspectList(db, site, date, now);
    await storeList(db, site.id, date, list, now);
    const set = await findRuleSet(db, site.id, site.rulesVersion);
    if (set) await recordSiteDay(db, site, set.rules, date, list, now);
    run.stored.push(`${site.id}/${date}`);
    const purged = await purgeEventsBefore(db, site.id, now - site.retentionDays * DAY_MS);
    if (purged > 0) run.purged[site.id] = purged;
  }
  return run;
}
