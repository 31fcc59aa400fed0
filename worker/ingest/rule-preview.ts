import type { SiteRow } from "../../schema";
import { evaluate } from "../scoring/evaluate";
import type { RuleSet } from "../scoring/rules";
import type { Database } from "../store/db";
import { rescoreSite } from "./rescore";

/** A lead as a preview names it: its id and, when identified, its email. */
export interface PreviewLead {
  visitorId: string;
  email: string | null;
}

/** What a proposed rule set would change, compared with the rules in force, as of `now`. */
export interface RulePreview {
  visitors: number;
  becomeProspects: PreviewLead[];
  stopBeingProspects: PreviewLead[];
  /** The biggest score changes first, at most 100. */
  changedScores: (PreviewLead & { before: number; after: number })[];
}

const byId = (a: PreviewLead, b: PreviewLead) => a.visitorId.localeCompare(b.visitorId);

/**
 * Scores every lead under `proposed` without storing anything, and says who would cross the threshold
 * either way (by visitor id) and whose score moves most. POST .../rules/preview and the console answer this.
 */
export async function previewRules(db: Database, site: SiteRow, current: RuleSet, proposed: RuleSet, now: number): Promise<RulePreview> {
  const { snapshot, rescored } = await rescoreSite(db, site, proposed, now);
  const preview: RulePreview = { visitors: rescored.size, becomeProspects: [], stopBeingProspects: [], changedScores: [] };
  for (const [id, after] of rescored) {
    const stored = snapshot.states.get(id);
    if (!stored) continue;
    const lead = { visitorId: id, email: stored.state.email };
    const before = evaluate(stored.state, current, now);
    const is = after.score >= proposed.prospectAt;
    if (!before.prospect && is) preview.becomeProspects.push(lead);
    if (before.prospect && !is) preview.stopBeingProspects.push(lead);
    const afterScore = Math.round(after.score * 100) / 100;
    if (before.total !== afterScore) preview.changedScores.push({ ...lead, before: before.total, after: afterScore });
  }
  preview.becomeProspects.sort(byId);
  preview.stopBeingProspects.sort(byId);
  preview.changedScores.sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before) || a.visitorId.localeCompare(b.visitorId));
  preview.changedScores = preview.changedScores.slice(0, 100);
  return preview;
}
