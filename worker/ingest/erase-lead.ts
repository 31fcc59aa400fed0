import { sha256Hex } from "../lib/hash";
import type { Database } from "../store/db";
import { eraseVisitors, type Erased } from "../store/erasure";
import { leadGroup } from "../store/leads";
import { findVisitor } from "../store/visitor-reads";

/**
 * Erases a person: the visitor id given and, when it belongs to a lead, every visitor id of that lead
 * (one person), in one atomic batch. Answers what went and the ids now tombstoned, sorted.
 */
export async function eraseLead(db: Database, siteId: string, id: string, now: number): Promise<{ erased: Erased; visitorIds: string[] }> {
  const found = await findVisitor(db, siteId, id);
  const group = found ? await leadGroup(db, siteId, found.leadId ?? found.id) : [];
  const ids = [...new Set([id, ...group.map((v) => v.id)])];
  const erased = await eraseVisitors(db, siteId, await Promise.all(ids.map(async (v) => ({ id: v, hash: await sha256Hex(v) }))), now);
  return { erased, visitorIds: ids.sort() };
}
