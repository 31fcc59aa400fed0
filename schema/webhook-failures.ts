import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { ProspectNotice } from "../worker/ingest/webhook";

/** Prospect notices whose webhook never answered 2xx after every attempt: the dead-letter record. */
export const webhookFailures = sqliteTable(
  "webhook_failures",
  {
    siteId: text("site_id").notNull(),
    /** The delivery id the notice was sent with on every attempt. */
    id: text("id").notNull(),
    visitorId: text("visitor_id").notNull(),
    notice: text("notice", { mode: "json" }).$type<ProspectNotice>().notNull(),
    attempts: integer("attempts").notNull(),
    /** What the last attempt got: an HTTP status or the reason it could not be sent. */
    lastError: text("last_error").notNull(),
    failedAt: integer("failed_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.id] })],
);

export type WebhookFailureRow = typeof webhookFailures.$inferSelect;
