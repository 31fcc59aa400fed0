import type { JobRow } from "../../schema";
import { sitePredictor, trainSiteModel } from "../ingest/outcome-evidence";
import { accountLeads, finishRollup, insertRollupRows, pruneRollupRows, type AccountLeadCursor } from "../store/account-rollups";
import type { Database } from "../store/db";
import { dueLeads, leadsFrom, type DueCursor, type ScoreCursor } from "../store/due-leads";
import { advanceJob, failJob, jobUnmoved } from "../store/jobs";
import { finishList, insertListRows, listBefore, listFigures, onList } from "../store/prospect-lists";
import { leadTotals, storeSiteDay } from "../store/site-days";
import { prepared, runBatch } from "../store/raw";
import { purgeChunk } from "../store/retention";
import { findRuleSet } from "../store/rules";
import { findSite } from "../store/sites";
import { rollUpChunk, type AccountScore } from "../scoring/accounts";
import { DAY_MS } from "../scoring/decay";
import { prospectList, type ProspectRow } from "../scoring/prospects";
import type { RuleSet } from "../scoring/rules";
import type { StepResult } from "./step";
import { sweepChunk, SWEEP_LEADS_PER_CHUNK } from "./sweep";

/** Leads looked at per list chunk (as many as a sweep chunk re-evaluates): one read and one small batch each. */
export const DAILY_LEADS_PER_CHUNK = SWEEP_LEADS_PER_CHUNK;
/** Leads one account chunk rolls up (read in account order off the account index). */
export const ACCOUNT_LEADS_PER_CHUNK = 1_000;
/** Rows of older account roll-ups one prune chunk deletes. */
export const ROLLUP_ROWS_PER_PRUNE = 1_000;
/** Visitors whose expired events one purge chunk deletes (reading those visitors' events only). */
export const PURGE_VISITORS_PER_CHUNK = 100;

/** Counts shown in the job's cursor, per phase. */
interface DailyCounts {
  swept: number;
  listed: number;
  purged: number;
}

/**
 * Where a site's daily run got to. sweep: leads whose next change time has come; list-top: leads stored
 * at or above the threshold, down the score index; list-due: leads whose time has come stored below it;
 * figures: the day's totals for the console; accounts: leads in account order, whole accounts stored as the
 * day's roll-up (`open` is the account the last chunk ended in, carried on); accounts-prune: older roll-ups'
 * rows deleted; train: the predictive model refitted from the leads with an
 * outcome; purge: events past retention, visitor by visitor off the retention index.
 */
type DailyCursor = DailyCounts &
  (
    | { phase: "sweep"; after?: DueCursor }
    | { phase: "list-top"; previous: string | null; after?: ScoreCursor }
    | { phase: "list-due"; previous: string | null; after?: DueCursor }
    | { phase: "figures" }
    | { phase: "accounts"; rolled: number; after?: AccountLeadCursor; open?: AccountScore }
    | { phase: "accounts-prune" }
    | { phase: "train" }
    | { phase: "purge" }
  );

const dateOf = (job: JobRow) => job.id.slice("daily-".length);

/** Rule sets by version, read once per step (leads a running rescore has not reached keep their own). */
function ruleCache(db: Database, siteId: string) {
  const cache = new Map<number, Promise<RuleSet | undefined>>();
  return (version: number) => {
    let found = cache.get(version);
    if (!found) {
      found = findRuleSet(db, siteId, version).then((s) => s?.rules);
      cache.set(version, found);
    }
    return found;
  };
}

/**
 * One chunk of a site's daily run, evaluated as of the run's time (the job's creation, the cron's scheduled
 * time): sweep, then the stored list, its figures, the model's fit, then the retention purge. Each chunk writes its rows and the next
 * cursor in one batch guarded by the cursor it read.
 */
export async function dailyStep(db: Database, queue: Queue, job: JobRow, now: number): Promise<StepResult> {
  const site = await findSite(db, job.siteId);
  if (!site) {
    await failJob(db, job, "the site was deleted", now);
    return { done: true };
  }
  const rules = ruleCache(db, site.id);
  const current = await rules(site.rulesVersion);
  if (!current) {
    await failJob(db, job, `rules version ${site.rulesVersion} is missing`, now);
    return { done: true };
  }
  const cursor: DailyCursor = job.cursor ? (JSON.parse(job.cursor) as DailyCursor) : { phase: "sweep", swept: 0, listed: 0, purged: 0 };
  const at = job.createdAt;
  const commit = async (next: DailyCursor, processed: number, extra: D1PreparedStatement[] = [], done = false) => {
    const results = await runBatch(db, [
      prepared(db, jobUnmoved(db, job)),
      ...extra,
      prepared(db, advanceJob(db, job, { cursor: JSON.stringify(next), processed, done }, now)),
    ]);
    return results.slice(1, 1 + extra.length);
  };
  const counts = { swept: cursor.swept, listed: cursor.listed, purged: cursor.purged };

  if (cursor.phase === "sweep") {
    const chunk = await sweepChunk(db, site, current, at, cursor.after);
    const swept = counts.swept + chunk.swept;
    const next: DailyCursor = chunk.after
      ? { ...counts, swept, phase: "sweep", after: chunk.after }
      : { ...counts, swept, phase: "list-top", previous: (await listBefore(db, site.id, dateOf(job)))?.date ?? null };
    const [stored] = await commit(next, chunk.swept, chunk.write ? [chunk.write] : []);
    await chunk.notify(queue, stored);
    return { done: false };
  }

  if ((cursor.phase === "list-top" || cursor.phase === "list-due") && current.prospectAt === undefined) {
    // A site may score without a prospect list: no threshold, nobody on it; the empty list is still the day's.
    await commit({ ...counts, phase: "figures" }, 0, [finishList(db, site.id, dateOf(job), at)]);
    return { done: false };
  }

  if (cursor.phase === "list-top" || cursor.phase === "list-due") {
    const prospectAt = current.prospectAt as number;
    const rows =
      cursor.phase === "list-top"
        ? await leadsFrom(db, site.id, prospectAt, DAILY_LEADS_PER_CHUNK, cursor.after)
        : await dueLeads(db, site.id, at, DAILY_LEADS_PER_CHUNK, cursor.after, prospectAt);
    const [previous, predict] = await Promise.all([
      cursor.previous === null ? new Set<string>() : onList(db, site.id, cursor.previous, rows.map((r) => r.id)),
      sitePredictor(db, site, current, at),
    ]);
    const lines: ProspectRow[] = [];
    for (const version of new Set(rows.map((r) => r.rulesVersion))) {
      const set = (await rules(version)) ?? current;
      // The model's features are the current rules': leads a rescore has not reached get no probability.
      lines.push(...prospectList(rows.filter((r) => r.rulesVersion === version), set, at, previous, version === site.rulesVersion ? predict : () => null));
    }
    const last = rows[rows.length - 1];
    const full = rows.length === DAILY_LEADS_PER_CHUNK && last !== undefined;
    const listed = counts.listed + lines.length;
    const writes = lines.length ? [insertListRows(db, site.id, dateOf(job), lines)] : [];
    if (cursor.phase === "list-top") {
      const next: DailyCursor = full
        ? { ...counts, listed, phase: "list-top", previous: cursor.previous, after: { score: last.score, id: last.id } }
        : { ...counts, listed, phase: "list-due", previous: cursor.previous };
      await commit(next, lines.length, writes);
      return { done: false };
    }
    if (full) {
      await commit({ ...counts, listed, phase: "list-due", previous: cursor.previous, after: { at: last.nextChangeAt as number, id: last.id } }, lines.length, writes);
      return { done: false };
    }
    // The last chunk marks the list complete in the same batch: from then on it is the day's stored list.
    await commit({ ...counts, listed, phase: "figures" }, lines.length, [...writes, finishList(db, site.id, dateOf(job), at)]);
    return { done: false };
  }

  if (cursor.phase === "figures") {
    // The day's figures for the console's overview, next to the stored list: aggregates, never the rows.
    const [totals, list] = await Promise.all([leadTotals(db, site.id, current.classes), listFigures(db, site.id, dateOf(job))]);
    const topRules = list.newProspectRules
      .map((t) => ({ ...t, points: Math.round(t.points * 100) / 100 }))
      .sort((a, b) => b.leads - a.leads || b.points - a.points || a.rule.localeCompare(b.rule))
      .slice(0, 10);
    const figures = { eventsTotal: totals.eventsTotal, leads: totals.leads, prospects: list.prospects, newProspects: list.newProspects, classes: totals.classes, topRules };
    await storeSiteDay(db, site.id, dateOf(job), figures, at);
    await commit({ ...counts, phase: "accounts", rolled: 0 }, 0);
    return { done: false };
  }

  if (cursor.phase === "accounts") {
    // Whole accounts are stored as they complete; the one a chunk ends in goes on in the next chunk's
    // cursor, so an account spread over many chunks is one row. Each lead is scored as of the run's time.
    const rows = await accountLeads(db, site.id, ACCOUNT_LEADS_PER_CHUNK, cursor.after);
    const leads = [];
    for (const r of rows) leads.push({ id: r.id, account: r.account as string, state: r.state, rules: (await rules(r.rulesVersion)) ?? current });
    const last = rows[rows.length - 1];
    const more = rows.length === ACCOUNT_LEADS_PER_CHUNK && last !== undefined;
    const { closed, open } = rollUpChunk(leads, cursor.open ?? null, !more, at);
    const rolled = cursor.rolled + closed.length;
    const writes = closed.length ? [insertRollupRows(db, site.id, dateOf(job), closed)] : [];
    if (more) {
      await commit({ ...counts, phase: "accounts", rolled, after: { account: last.account as string, id: last.id }, ...(open ? { open } : {}) }, rows.length, writes);
      return { done: false };
    }
    // The last chunk marks the roll-up complete in the same batch: from then on it is the one read.
    await commit({ ...counts, phase: "accounts-prune" }, rows.length, [...writes, ...finishRollup(db, site.id, dateOf(job), at, rolled)]);
    return { done: false };
  }

  if (cursor.phase === "accounts-prune") {
    // Deleting rows of older roll-ups is safe to repeat, so it runs before the guarded cursor move.
    const pruned = await pruneRollupRows(db, site.id, dateOf(job), ROLLUP_ROWS_PER_PRUNE).run();
    await commit({ ...counts, phase: pruned.meta.changes >= ROLLUP_ROWS_PER_PRUNE ? "accounts-prune" : "train" }, 0);
    return { done: false };
  }

  if (cursor.phase === "train") {
    // The predictive model is refitted daily from the leads with an outcome (pages of the outcome index, at
    // most MAX_OUTCOME_LEADS; no model below the minimum counts). A failed fit must not stop the run.
    await trainSiteModel(db, site, at).catch((err: unknown) => console.error(`training the model of site ${site.id} failed`, err));
    await commit({ ...counts, phase: "purge" }, 0);
    return { done: false };
  }

  const [deleted, , marked] = await runBatch(db, purgeChunk(db, site.id, at - site.retentionDays * DAY_MS, PURGE_VISITORS_PER_CHUNK, at));
  const purged = deleted?.meta.changes ?? 0;
  const done = (marked?.meta.changes ?? 0) < PURGE_VISITORS_PER_CHUNK;
  await commit({ ...counts, purged: counts.purged + purged, phase: "purge" }, purged, [], done);
  return { done };
}

