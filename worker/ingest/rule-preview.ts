import type { SiteRow } from "../../schema";
import { replayChunk, RESCORE_EVENTS_PER_CHUNK } from "../jobs/rescore";
import { evaluate } from "../scoring/evaluate";
import type { RuleSet } from "../scoring/rules";
import type { Database } from "../store/db";
import { readLeadChunk } from "../store/lead-chunk";

/** Leads a preview replays per call: a page in key order, bounded like a rescore chunk. */
export const PREVIEW_LEADS = 200;

/** A lead as a preview names it: its id and, when identified, its email. */
export interface PreviewLead {
  visitorId: string;
  email: string | null;
}

/** What a proposed rule set would change, compared with the rules in force, as of `now`, for one page of leads. */
export interface RulePreview {
  visitors: number;
  becomeProspects: PreviewLead[];
  stopBeingProspects: PreviewLead[];
  /** The biggest score changes first, at most 100. */
  changedScores: (PreviewLead & { before: number; after: number })[];
  /** Which leads this answer covered, and where the next page starts (null at the end). */
  page: { from: string | null; to: string | null; eventsReplayed: number; nextCursor: string | null; note: string };
}

const byId = (a: PreviewLead, b: PreviewLead) => a.visitorId.localeCompare(b.visitorId);

/**
 * Scores a page of leads (after `after`, in id order, at most PREVIEW_LEADS and the events of a rescore
 * chunk) under `proposed` without storing anything, and says who would cross the threshold either way and
 * whose score moves most. POST .../rules/preview and the console answer this.
 */
export async function previewRules(db: Database, site: SiteRow, current: RuleSet, proposed: RuleSet, now: number, after: string | null = null): Promise<RulePreview> {
  const chunk = await readLeadChunk(db, site.id, after, { maxLeads: PREVIEW_LEADS, maxEvents: RESCORE_EVENTS_PER_CHUNK });
  const rescored = replayChunk(chunk, site, proposed, site.rulesVersion + 1, now);
  const last = chunk.leads[chunk.leads.length - 1];
  const preview: RulePreview = {
    visitors: chunk.leads.length,
    becomeProspects: [],
    stopBeingProspects: [],
    changedScores: [],
    page: {
      from: after,
      to: last?.id ?? null,
      eventsReplayed: chunk.eventsRead,
      nextCursor: chunk.next,
      note: `leads in id order, at most ${PREVIEW_LEADS} and ${RESCORE_EVENTS_PER_CHUNK} events per request; pass nextCursor as ?cursor= for the next page`,
    },
  };
  for (const stored of chunk.leads) {
    const next = rescored.get(stored.id);
    if (!next) continue;
    const lead = { visitorId: stored.id, email: stored.state.email };
    const before = evaluate(stored.state, current, now);
    const is = next.score >= proposed.prospectAt;
    if (!before.prospect && is) preview.becomeProspects.push(lead);
    if (before.prospect && !is) preview.stopBeingProspects.push(lead);
    const afterScore = Math.round(next.score * 100) / 100;
    if (before.total !== afterScore) preview.changedScores.push({ ...lead, before: before.total, after: afterScore });
  }
  preview.becomeProspects.sort(byId);
  preview.stopBeingProspects.sort(byId);
  preview.changedScores.sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before) || byId(a, b));
  preview.changedScores = preview.changedScores.slice(0, 100);
  return preview;
}
