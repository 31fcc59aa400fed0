import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { RuleSet } from "../worker/scoring/rules";

/** Every version of a site's rules is kept, so a score can always be traced to the rules that made it. */
export const ruleSets = sqliteTable(
  "rule_sets",
  {
    siteId: text("site_id").notNull(),
    version: integer("version").notNull(),
    rules: text("rules", { mode: "json" }).$type<RuleSet>().notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.siteId, t.version] })],
);
