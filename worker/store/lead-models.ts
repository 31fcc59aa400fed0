import { and, asc, eq, gt, gte, isNotNull, isNull, or } from "drizzle-orm";
import { leadModels, visitors, type LeadModelRow, type VisitorRow } from "../../schema";
import type { PredictiveModel } from "../scoring/predictive";
import type { Database } from "./db";

/** A site's stored model, or undefined. */
export function findModel(db: Database, siteId: string): Promise<LeadModelRow | undefined> {
  return db.select().from(leadModels).where(eq(leadModels.siteId, siteId)).get();
}

/** Stores a site's model in place of the previous one. */
export async function saveModel(db: Database, siteId: string, rulesVersion: number, model: PredictiveModel, now: number): Promise<void> {
  await db
    .insert(leadModels)
    .values({ siteId, trainedAt: now, rulesVersion, model })
    .onConflictDoUpdate({ target: leadModels.siteId, set: { trainedAt: now, rulesVersion, model } });
}

/** Where a page of leads with an outcome starts: after this outcome time and id. */
export interface OutcomeCursor {
  at: number;
  id: string;
}

/** A page of a site's leads with an outcome at or after `since`, oldest outcome first, from the outcome index. */
export function outcomeLeadsPage(db: Database, siteId: string, since: number, limit: number, after?: OutcomeCursor): Promise<VisitorRow[]> {
  const page = after ? or(gt(visitors.outcomeAt, after.at), and(eq(visitors.outcomeAt, after.at), gt(visitors.id, after.id))) : undefined;
  return db
    .select()
    .from(visitors)
    .where(and(eq(visitors.siteId, siteId), isNotNull(visitors.outcome), isNull(visitors.leadId), gte(visitors.outcomeAt, since), page))
    .orderBy(asc(visitors.outcomeAt), asc(visitors.id))
    .limit(limit);
}
