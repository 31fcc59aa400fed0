import type { SiteRow } from "../../schema";
import type { Database } from "../store/db";
import { inScoringOrder, scoringOrder } from "../store/history";
import { leadEvents, timelineKey, type TimelineCursor } from "../store/lead-timeline";
import { scoringSettings } from "../store/sites";
import type { RuleSet } from "../scoring/rules";
import { scoreSteps, type ScoreStep } from "../scoring/score-steps";

/** A page of a lead's score history, oldest first, and where the next page starts (null on the last). */
export interface ScoreHistoryPage {
  steps: (ScoreStep & { visitorId: string; seq: number })[];
  next: TimelineCursor | null;
  /** How many stored events the lead has (retention may have purged older ones). */
  events: number;
}

/** True when event `row` comes after `cursor` in scoring order. */
function isAfter(row: TimelineCursor, cursor: TimelineCursor): boolean {
  return row.seq > cursor.seq || (row.seq === cursor.seq && (row.visitorId > cursor.visitorId || (row.visitorId === cursor.visitorId && row.id > cursor.id)));
}

/**
 * A lead's score and each dimension after every stored event, with the points each event earned, oldest
 * first, a page at a time (`after` the last step of the previous page). Computed by replaying the lead's
 * stored events under `rules`, so it costs the lead's rows on each page and no write per beacon.
 */
export async function scoreHistory(
  db: Database,
  site: SiteRow,
  rules: RuleSet,
  leadId: string,
  { after, limit }: { after?: TimelineCursor; limit: number },
): Promise<ScoreHistoryPage> {
  const rows = (await leadEvents(db, site.id, leadId)).sort(scoringOrder);
  // Replay counts an event id once per lead (the first in scoring order), so the first row names the step.
  const keys = new Map<string, TimelineCursor>();
  for (const r of rows) if (!keys.has(r.id)) keys.set(r.id, timelineKey(r));
  const steps: ScoreHistoryPage["steps"] = [];
  let more = false;
  for (const step of scoreSteps(inScoringOrder(rows), rules, scoringSettings(site))) {
    const key = keys.get(step.event.id) as TimelineCursor;
    if (after && !isAfter(key, after)) continue;
    if (steps.length === limit) {
      more = true;
      break;
    }
    steps.push({ ...step, visitorId: key.visitorId, seq: key.seq });
  }
  const last = steps.at(-1);
  return { steps, next: more && last ? { seq: last.seq, visitorId: last.visitorId, id: last.event.id } : null, events: rows.length };
}
