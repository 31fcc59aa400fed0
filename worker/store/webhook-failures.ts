import { desc, eq } from "drizzle-orm";
import { webhookFailures, type WebhookFailureRow } from "../../schema";
import type { Database } from "./db";

/** A site's dead-lettered prospect notices, newest first. */
export function recentWebhookFailures(db: Database, siteId: string, limit: number): Promise<WebhookFailureRow[]> {
  return db.select().from(webhookFailures).where(eq(webhookFailures.siteId, siteId)).orderBy(desc(webhookFailures.failedAt)).limit(limit);
}
