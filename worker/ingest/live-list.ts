import type { SiteRow } from "../../schema";
import type { Database } from "../store/db";
import { leadsFrom, type ScoreCursor } from "../store/due-leads";
import { listBefore, onList } from "../store/prospect-lists";
import { prospectLine, type ProspectRow } from "../scoring/prospects";
import type { RuleSet } from "../scoring/rules";
import { sitePredictor } from "./outcome-evidence";

/**
 * Leads one page of the live list looks at before it answers: a page that meets this many leads stored
 * over the threshold but no longer over it now answers fewer lines, with a cursor to go on from.
 */
export const LIVE_SCAN = 2_000;

/** Leads read at least per query while a page looks for lines. */
const SCAN_READ = 200;

/** A page of the live list, and where the next one starts (null at the end). */
export interface LivePage {
  rows: ProspectRow[];
  next: ScoreCursor | null;
}

/** Reads today's live list a page at a time. */
export interface LiveList {
  /** Whether the site's rules have a threshold (without one, nobody is on a list). */
  hasThreshold: boolean;
  page(limit: number, after?: ScoreCursor): Promise<LivePage>;
}

/**
 * Today's live prospect list as of `now` under the site's rules in force (`rules`), before the day's list is stored: the leads stored at or above the
 * threshold, walked down the score index, each evaluated at `now` and kept while it is a prospect then.
 *
 * It is in the order of the stored score (as the leads page is), which is each lead's score as of its last
 * event or the last hourly sweep; the score shown is the one at `now`. A page reads O(limit) rows, plus the
 * leads that dropped under the threshold since the last sweep (at most LIVE_SCAN). A lead that rises over the
 * threshold without an event (negative points decaying or expiring) joins at the next hourly sweep.
 */
export async function openLiveList(db: Database, site: SiteRow, rules: RuleSet | undefined, date: string, now: number): Promise<LiveList> {
  const prospectAt = rules?.prospectAt;
  if (!rules || prospectAt === undefined) return { hasThreshold: false, page: () => Promise.resolve({ rows: [], next: null }) };
  const [previous, predict] = await Promise.all([listBefore(db, site.id, date), sitePredictor(db, site, rules, now)]);
  return {
    hasThreshold: true,
    async page(limit, after) {
      const rows: ProspectRow[] = [];
      let cursor = after;
      for (let scanned = 0; scanned < LIVE_SCAN; ) {
        // One more than the lines still wanted tells whether the list goes on past this page; reads of at
        // least SCAN_READ leads keep a page that skips many to a few queries.
        const want = Math.min(Math.max(limit - rows.length + 1, SCAN_READ), LIVE_SCAN - scanned);
        const leads = await leadsFrom(db, site.id, prospectAt, want, cursor);
        scanned += leads.length;
        const onPrevious = previous && leads.length ? await onList(db, site.id, previous.date, leads.map((l) => l.id)) : new Set<string>();
        for (const lead of leads) {
          const line = prospectLine(lead, rules, now, onPrevious, predict);
          if (!line) {
            cursor = { score: lead.score, id: lead.id };
            continue;
          }
          // A line past the page's last one: the list goes on after the last line kept.
          if (rows.length === limit) return { rows, next: cursor ?? null };
          rows.push(line);
          cursor = { score: lead.score, id: lead.id };
        }
        if (leads.length < want) return { rows, next: null };
      }
      // The scan budget ran out: fewer lines, and where to go on from.
      return { rows, next: cursor ?? null };
    },
  };
}
