import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { PredictiveModel } from "../worker/scoring/predictive";

/** Each site's latest predictive model of P(won), and the rule set version its features come from. */
export const leadModels = sqliteTable("lead_models", {
  siteId: text("site_id").primaryKey(),
  trainedAt: integer("trained_at").notNull(),
  rulesVersion: integer("rules_version").notNull(),
  model: text("model", { mode: "json" }).$type<PredictiveModel>().notNull(),
});

export type LeadModelRow = typeof leadModels.$inferSelect;
