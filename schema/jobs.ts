import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/**
 * Background work: a rule-set rescore, a site's daily run (sweep, stored list, retention purge), or its
 * hourly sweep (one row per site, started again each hour it has leads due).
 */
export const JOB_KINDS = ["rescore", "daily", "sweep"] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** queued until its first chunk runs; superseded when a newer rules change replaced a rescore. */
export const JOB_STATUSES = ["queued", "running", "done", "failed", "superseded"] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/**
 * One background job and where it got to. Each queue message runs one bounded chunk from `cursor` and
 * moves the cursor in the same batch as its writes, so a retried message resumes where the last one ended.
 */
export const jobs = sqliteTable(
  "jobs",
  {
    siteId: text("site_id").notNull(),
    id: text("id").notNull(),
    kind: text("kind", { enum: JOB_KINDS }).notNull(),
    status: text("status", { enum: JOB_STATUSES }).notNull(),
    /** The rules version a rescore brings leads to (null for other kinds). */
    rulesVersion: integer("rules_version"),
    /** Where the next chunk starts (JSON, its shape per kind); null before the first chunk. */
    cursor: text("cursor"),
    /** Rows handled so far (leads rescored or swept, list rows, events purged). */
    processed: integer("processed").notNull().default(0),
    /** How many leads a rescore will look at, counted by its first chunk (an estimate: leads come and go). */
    total: integer("total"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    finishedAt: integer("finished_at"),
    error: text("error"),
  },
  (t) => [
    primaryKey({ columns: [t.siteId, t.id] }),
    index("jobs_by_site").on(t.siteId, t.createdAt),
    // The cron finds jobs whose chain of messages stopped (a message dropped after its retries).
    index("jobs_by_status").on(t.status, t.updatedAt),
  ],
);

export type JobRow = typeof jobs.$inferSelect;
