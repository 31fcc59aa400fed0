import { Hono } from "hono";
import { z } from "zod";
import { JOB_KINDS, type JobRow } from "../../schema";
import type { AppEnv } from "../lib/app-env";
import { requireScope } from "../lib/auth";
import { ApiError } from "../lib/errors";
import { siteFromPath } from "../lib/site-param";
import { validate } from "../lib/validate";
import type { Database } from "../store/db";
import { findJob, recentJobs } from "../store/jobs";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A job as the API shows it: what, how far, and how it ended. */
export function jobJson(job: JobRow) {
  return {
    id: job.id,
    kind: job.kind,
    status: job.status,
    rulesVersion: job.rulesVersion,
    processed: job.processed,
    total: job.total,
    progress: job.cursor === null ? null : (JSON.parse(job.cursor) as unknown),
    createdAt: iso(job.createdAt),
    updatedAt: iso(job.updatedAt),
    finishedAt: iso(job.finishedAt),
    error: job.error,
  };
}

/** One job of a site as JSON, or a 404. */
export async function jobOr404(db: Database, siteId: string, id: string) {
  const job = await findJob(db, siteId, id);
  if (!job) throw new ApiError("not_found", `site "${siteId}" has no job "${id}"`);
  return jobJson(job);
}

/** GET /api/sites/:site/jobs query. */
export const jobsQuery = z.strictObject({
  kind: z.enum(JOB_KINDS).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** GET /api/sites/:site/jobs (newest first) and GET /api/sites/:site/jobs/:id: background work and its progress. */
export const jobsRoutes = new Hono<AppEnv>()
  .get("/", requireScope("read"), validate("query", jobsQuery), async (c) => {
    const site = await siteFromPath(c);
    const { kind, limit } = c.req.valid("query");
    return c.json({ site: site.id, jobs: (await recentJobs(c.var.db, site.id, limit, kind)).map(jobJson) });
  })
  .get("/:id", requireScope("read"), async (c) => {
    const site = await siteFromPath(c);
    return c.json(await jobOr404(c.var.db, site.id, c.req.param("id")));
  });
