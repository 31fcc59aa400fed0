import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** A website that carries the script tag: who may beacon for it and when its daily list is due. */
export const sites = sqliteTable("sites", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** JSON array of origins allowed to beacon, e.g. ["https://example.com", "https://*.example.com"]. */
  origins: text("origins", { mode: "json" }).$type<string[]>().notNull(),
  visitTimeoutMin: integer("visit_timeout_min").notNull().default(30),
  timezone: text("timezone").notNull().default("UTC"),
  /** Local hour (0-23) at which the scheduled handler stores the day's prospect list. */
  listHour: integer("list_hour").notNull().default(7),
  /** Version of the rule set in force; every scoring write checks it has not moved. */
  rulesVersion: integer("rules_version").notNull().default(1),
  /** Raw events older than this many days are purged by the scheduled handler; scores stay. */
  retentionDays: integer("retention_days").notNull().default(395),
  /** Where to POST a signed notice the moment a lead becomes a prospect, if anywhere. */
  webhookUrl: text("webhook_url"),
  /** The HMAC-SHA256 key that signs those notices (shown once, when the webhook is set). */
  webhookSecret: text("webhook_secret"),
  /**
   * The key the site's own backend signs identified emails with (hex HMAC-SHA256 of the email, sent as
   * `sig`): only a signed identify may join leads or change a verified lead. Shown once when made; null
   * for a site made before verification existed, until an admin makes one.
   */
  identitySecret: text("identity_secret"),
  createdAt: integer("created_at").notNull(),
});

export type SiteRow = typeof sites.$inferSelect;
