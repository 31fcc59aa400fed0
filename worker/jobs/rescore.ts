import type { JobRow, SiteRow } from "../../schema";
import type { Database } from "../store/db";
import { inScoringOrder } from "../store/history";
import { advanceJob, failJob, jobUnmoved, supersedeJob } from "../store/jobs";
import { countLeads } from "../store/due-leads";
import { readLeadChunk, type LeadChunk } from "../store/lead-chunk";
import { prepared, runBatch } from "../store/raw";
import { rescoredLeadWrites } from "../store/rescored-leads";
import { findRuleSet } from "../store/rules";
import { findSite, scoringSettings } from "../store/sites";
import type { RescoredValues } from "../store/visitor-writes";
import { replay } from "../scoring/engine";
import { totalScore } from "../scoring/evaluate";
import { nextChangeAt } from "../scoring/next-change";
import type { RuleSet } from "../scoring/rules";
import type { StepResult } from "./step";
import { MAX_LEAD_EVENTS } from "../ingest/lead-history";

/**
 * Leads per chunk: the chunk's writes are a few statements whatever their number (see rescoredLeadWrites),
 * so memory bounds it. At 1M leads the scale bench's worst chunk of 500 peaked at 62 MB of heap; chunks
 * of 1,000 or 2,000 went over 64 MB.
 */
export const RESCORE_LEADS_PER_CHUNK = 500;
/**
 * Events replayed per chunk: 2,000 leads with 20,000 events peaked at 85 MB, so a chunk of heavier leads
 * stops at this many. A lead keeps no more than that (ingest/lead-history.ts; a beacon's or an API
 * batch's worth more when its count was just cleared), and a lead over the budget is rescored alone.
 */
export const RESCORE_EVENTS_PER_CHUNK = MAX_LEAD_EVENTS;
/** The leads a chunk takes, RESCORE_LEADS_PER_CHUNK; tests lower it to run several chunks over a small site. */
export const rescoreChunkLeads = { max: RESCORE_LEADS_PER_CHUNK };
/**
 * D1 statements a step may run (the free plan's limit per invocation is 50): seven reads at most (site,
 * rules, the first chunk's count, the chunk's four), the cursor guard and the job's progress; the rest
 * store the leads.
 */
const STEP_STATEMENTS = 49;
const WRITE_STATEMENTS = STEP_STATEMENTS - 9;

/** A rescore's cursor: the last lead id handled. */
interface RescoreCursor {
  after: string | null;
}

/** Each lead of a chunk replayed under `rules` from all its stored events, as the row values it takes. */
export function replayChunk(chunk: LeadChunk, site: SiteRow, rules: RuleSet, rulesVersion: number, now: number): Map<string, RescoredValues> {
  const settings = scoringSettings(site);
  const out = new Map<string, RescoredValues>();
  for (const lead of chunk.leads) {
    const rows = chunk.events.get(lead.id) ?? [];
    const state = replay(inScoringOrder(rows), rules, settings);
    let lastSeq = lead.lastSeq;
    for (const alias of chunk.aliases.get(lead.id) ?? []) lastSeq = Math.max(lastSeq, alias.lastSeq);
    for (const e of rows) lastSeq = Math.max(lastSeq, e.seq);
    out.set(lead.id, {
      state,
      score: totalScore(state, rules, now),
      prospectSince: state.prospectSince,
      nextChangeAt: nextChangeAt(state, rules, now),
      rulesVersion,
      lastSeq,
    });
  }
  return out;
}

/**
 * One chunk of a rescore: the next leads in key order still under an older rules version, replayed from
 * their events under the job's version. Each write lands only on the version the lead was read at: a lead
 * a beacon wrote meanwhile was replayed by that write (lazily, see scoreBatch) and is never overwritten
 * with an older state. The cursor moves in the same batch, so a retried message resumes after it.
 */
export async function rescoreStep(db: Database, _queue: Queue, job: JobRow, now: number): Promise<StepResult> {
  const site = await findSite(db, job.siteId);
  if (!site) {
    await failJob(db, job, "the site was deleted", now);
    return { done: true };
  }
  if (site.rulesVersion !== job.rulesVersion) {
    // A newer PUT marks this job superseded in its own batch; this covers a message that raced it.
    await supersedeJob(db, job, `superseded by rules version ${site.rulesVersion}`, now);
    return { done: true };
  }
  const set = await findRuleSet(db, site.id, site.rulesVersion);
  if (!set) {
    await failJob(db, job, `rules version ${site.rulesVersion} is missing`, now);
    return { done: true };
  }
  const cursor: RescoreCursor = job.cursor ? (JSON.parse(job.cursor) as RescoreCursor) : { after: null };
  const total = job.cursor === null ? await countLeads(db, site.id) : undefined;
  const chunk = await readLeadChunk(db, site.id, cursor.after, {
    maxLeads: rescoreChunkLeads.max,
    maxEvents: RESCORE_EVENTS_PER_CHUNK,
    belowRulesVersion: site.rulesVersion,
  });
  const rescored = replayChunk(chunk, site, set.rules, site.rulesVersion, now);
  const leads = chunk.leads.map((lead) => ({ lead, values: rescored.get(lead.id) as RescoredValues }));
  const writes = rescoredLeadWrites(db, site.id, leads, WRITE_STATEMENTS);
  // Leads whose rows did not fit the step's statements are left to the next chunk.
  const last = chunk.leads[writes.stored - 1];
  const done = chunk.next === null && writes.stored === chunk.leads.length;
  const next: RescoreCursor = { after: last?.id ?? cursor.after };
  await runBatch(db, [
    prepared(db, jobUnmoved(db, job)),
    ...writes.statements,
    prepared(db, advanceJob(db, job, { cursor: JSON.stringify(next), processed: writes.stored, done, total }, now)),
  ]);
  return { done };
}
