import type { JobRow, SiteRow } from "../../schema";
import { prospectNotification } from "../ingest/webhook";
import type { Database } from "../store/db";
import { dueLeads, storeSweptScores, type DueCursor, type SweptScore } from "../store/due-leads";
import { advanceJob, failJob, jobUnmoved } from "../store/jobs";
import { prepared, runBatch } from "../store/raw";
import { findRuleSet } from "../store/rules";
import { findSite } from "../store/sites";
import { totalScore } from "../scoring/evaluate";
import { nextChangeAt } from "../scoring/next-change";
import { reachesThreshold, type RuleSet } from "../scoring/rules";
import type { StepResult } from "./step";
import { enqueueNotices } from "./webhook";

/** Leads re-evaluated per sweep chunk: one read and one statement. */
export const SWEEP_LEADS_PER_CHUNK = 200;

/** A chunk of leads whose next change time has come, re-evaluated, ready to be written with the job's cursor. */
export interface SweepChunk {
  swept: number;
  /** The statement storing the chunk's scores (null when it has none to store). */
  write: D1PreparedStatement | null;
  /** Where the next chunk starts, or undefined when this was the last. */
  after: DueCursor | undefined;
  /** Queues the webhook notices of the crossings whose writes landed (the write's result). */
  notify(queue: Queue, stored: D1Result | undefined): Promise<void>;
}

/**
 * Re-evaluates, as of `at`, the next leads whose next change time has come (absence began, points expired,
 * decay crossed a boundary): new score, prospect flag and next change time. Leads a running rescore has not
 * reached get theirs from the rescore.
 */
export async function sweepChunk(db: Database, site: SiteRow, current: RuleSet, at: number, after?: DueCursor): Promise<SweepChunk> {
  const rows = await dueLeads(db, site.id, at, SWEEP_LEADS_PER_CHUNK, after);
  const swept: SweptScore[] = [];
  const crossed = new Map<string, (typeof rows)[number]>();
  for (const r of rows) {
    if (r.rulesVersion !== site.rulesVersion) continue;
    const score = totalScore(r.state, current, at);
    // Over the threshold and not held off the list by a rejection (never, for rules without a threshold).
    const since = reachesThreshold(current, score) && !r.state.outcome?.held ? (r.prospectSince ?? at) : null;
    swept.push({ id: r.id, version: r.version, was: r.prospectSince, score, since, next: nextChangeAt(r.state, current, at) });
    if (r.prospectSince === null && since !== null) crossed.set(r.id, r);
  }
  const last = rows[rows.length - 1];
  return {
    swept: swept.length,
    write: swept.length ? storeSweptScores(db, site.id, swept) : null,
    after: rows.length === SWEEP_LEADS_PER_CHUNK && last ? { at: last.nextChangeAt as number, id: last.id } : undefined,
    async notify(queue, stored) {
      // A crossing the sweep found (decay or absence moved the lead without an event) is notified like one an
      // event made; only for leads whose write landed, so a lead a beacon or another sweep wrote meanwhile is
      // not notified twice.
      const landed = new Set(((stored?.results ?? []) as { id: string }[]).map((r) => r.id));
      const notices = [...crossed.values()]
        .filter((r) => landed.has(r.id))
        .map((r) => prospectNotification(site, current, r.id, { ...r.state, prospectSince: r.state.prospectSince ?? at }, at));
      await enqueueNotices(queue, notices);
    },
  };
}

/** A sweep's cursor: leads swept so far and where the next chunk starts. */
interface SweepCursor {
  swept: number;
  after?: DueCursor;
}

/**
 * One chunk of a site's hourly sweep, as of the job's start: keeps stored scores, prospect flags and next
 * change times current between daily runs, so the live list and the leads page read scores at most an hour
 * old, and a day's run finds only the last hour's leads due.
 */
export async function sweepStep(db: Database, queue: Queue, job: JobRow, now: number): Promise<StepResult> {
  const site = await findSite(db, job.siteId);
  const current = site ? (await findRuleSet(db, site.id, site.rulesVersion))?.rules : undefined;
  if (!site || !current) {
    await failJob(db, job, site ? `rules version ${site.rulesVersion} is missing` : "the site was deleted", now);
    return { done: true };
  }
  const cursor: SweepCursor = job.cursor ? (JSON.parse(job.cursor) as SweepCursor) : { swept: 0 };
  const chunk = await sweepChunk(db, site, current, job.createdAt, cursor.after);
  const done = chunk.after === undefined;
  const next: SweepCursor = { swept: cursor.swept + chunk.swept, ...(chunk.after ? { after: chunk.after } : {}) };
  const results = await runBatch(db, [
    prepared(db, jobUnmoved(db, job)),
    ...(chunk.write ? [chunk.write] : []),
    prepared(db, advanceJob(db, job, { cursor: JSON.stringify(next), processed: chunk.swept, done }, now)),
  ]);
  await chunk.notify(queue, chunk.write ? results[1] : undefined);
  return { done };
}
