import { desc, eq } from "drizzle-orm";
import { webhookFailures, type WebhookFailureRow } from "../../schema";
import type { ProspectNotice } from "../ingest/webhook";
import type { Database } from "./db";

/** A site's dead-lettered prospect notices, newest first. */
export function recentWebhookFailures(db: Database, siteId: string, limit: number): Promise<WebhookFailureRow[]> {
  return db.select().from(webhookFailures).where(eq(webhookFailures.siteId, siteId)).orderBy(desc(webhookFailures.failedAt)).limit(limit);
}

/** Keeps a notice that got no 2xx after its last attempt (once per delivery id). */
export async function recordWebhookFailure(db: Database, siteId: string, delivery: string, notice: ProspectNotice, attempts: number, lastError: string, now: number): Promise<void> {
  await db
    .insert(webhookFailures)
    .values({ siteId, id: delivery, visitorId: notice.visitorId, notice, attempts, lastError, failedAt: now })
    .onConflictDoNothing();
}
