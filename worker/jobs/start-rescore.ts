import type { SiteRow } from "../../schema";
import type { RuleSet } from "../scoring/rules";
import type { Database } from "../store/db";
import { newJobId } from "../store/jobs";
import { commitRulesVersion } from "../store/rules";
import { enqueue, jobChunk } from "./messages";

/**
 * Makes `rules` the site's rules in force (a new version) and starts the job that rescores the stored
 * leads in the background; answers the version and the job's id. Throws StaleWrite when another version
 * was stored after `site` was read. Should the enqueue fail, the cron restarts the queued job.
 */
export async function startRulesChange(db: Database, queue: Queue, site: SiteRow, rules: RuleSet, now: number): Promise<{ version: number; jobId: string }> {
  const jobId = newJobId("rescore", now);
  const version = await commitRulesVersion(db, site.id, site.rulesVersion, rules, jobId, now);
  await enqueue(queue, [jobChunk(site.id, jobId)]).catch((err: unknown) => console.error("enqueueing a rescore failed", err));
  return { version, jobId };
}
