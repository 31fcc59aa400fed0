import { and, eq, sql } from "drizzle-orm";
import { ruleSets, sites } from "../../schema";
import type { RuleSet } from "../scoring/rules";
import type { Database } from "./db";
import { abortIf, runGuarded } from "./guard";
import { insertJob, supersedeJobs } from "./jobs";

/** A rule set version as stored. */
export async function findRuleSet(db: Database, siteId: string, version: number) {
  return db.select().from(ruleSets).where(and(eq(ruleSets.siteId, siteId), eq(ruleSets.version, version))).get();
}

/**
 * Makes `rules` the site's rule set in force as version `fromVersion + 1`, in one batch: the version, the
 * site's pointer to it (from then on every write to a lead still under an older version replays it
 * first), the rescore job that brings the other leads over, and any older rescore marked superseded.
 * Aborts (StaleWrite) when another change moved the site's version after it was read.
 */
export async function commitRulesVersion(db: Database, siteId: string, fromVersion: number, rules: RuleSet, jobId: string, now: number): Promise<number> {
  const version = fromVersion + 1;
  await runGuarded(() =>
    db.batch([
      abortIf(db, siteId, sql`${sites.rulesVersion} IS NOT ${fromVersion}`),
      db.insert(ruleSets).values({ siteId, version, rules, createdAt: now }),
      db.update(sites).set({ rulesVersion: version }).where(eq(sites.id, siteId)),
      supersedeJobs(db, siteId, "rescore", `superseded by rules version ${version}`, now),
      insertJob(db, { siteId, id: jobId, kind: "rescore", rulesVersion: version }, now),
    ]),
  );
  return version;
}
