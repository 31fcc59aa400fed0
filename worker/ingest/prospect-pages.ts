import type { SiteRow } from "../../schema";
import { ApiError } from "../lib/errors";
import { decodeCursor, encodeCursor } from "../lib/cursor";
import type { Database } from "../store/db";
import { listPage, storedList, type ListCursor } from "../store/prospect-lists";
import { findRuleSet } from "../store/rules";
import type { ScoreCursor } from "../store/due-leads";
import { byRank, type ProspectRow } from "../scoring/prospects";
import { openLiveList } from "./live-list";

/** One page of a prospect list and the cursor of the next (null at the end). */
export interface ProspectPage {
  rows: ProspectRow[];
  nextCursor: string | null;
}

/** A site's prospect list for a date, read a page at a time: the stored list, or today's live one. */
export interface ProspectListReader {
  siteId: string;
  /** The list handed out at the list hour; false for today's live list. */
  stored: boolean;
  /** Whether the site's current rules have a threshold. */
  hasThreshold: boolean;
  page(limit: number, cursor?: string): Promise<ProspectPage>;
}

const storedCursor = (r: ProspectRow) => encodeCursor([r.score, r.since, r.visitorId]);
const liveCursor = (c: ScoreCursor) => encodeCursor([c.score, c.id]);

const INVALID = "invalid query: cursor is not one this API gave out";

/** A cursor's parts: three from a stored list's page (score, since, id), two from the live list's (score, id). */
function readCursor(raw: string): { stored: ListCursor } | { live: ScoreCursor } {
  const parts = decodeCursor(raw, (p) => p);
  const [score, second, third] = parts;
  if (typeof score !== "number") throw new ApiError("bad_request", INVALID);
  if (parts.length === 3 && typeof second === "number" && typeof third === "string") return { stored: { score, since: second, visitorId: third } };
  if (parts.length === 2 && typeof second === "string") return { live: { score, id: second } };
  throw new ApiError("bad_request", INVALID);
}

function storedFrom(raw: string | undefined): ListCursor | undefined {
  if (raw === undefined) return undefined;
  const c = readCursor(raw);
  if ("stored" in c) return c.stored;
  throw new ApiError("bad_request", "invalid query: that cursor is from the live list, and the day's list has been stored since; start again without a cursor");
}

function liveFrom(raw: string | undefined): ScoreCursor | undefined {
  if (raw === undefined) return undefined;
  const c = readCursor(raw);
  if ("live" in c) return c.live;
  throw new ApiError("bad_request", INVALID);
}

/** Rank order of a list: best score, then who crossed first, then id. */
const after = (c: ListCursor) => (r: ProspectRow) => byRank(r, { ...r, score: c.score, since: c.since, visitorId: c.visitorId }) > 0;

/**
 * Opens the list of `date` (`today` is the site's local date) as of `now`: the stored one when the day's run finished it, else (today only)
 * the live one; undefined when no list was stored for a past date. Every page is a bounded read: the
 * stored list's rank index, or the live list's walk down the score index (see openLiveList).
 */
export async function openProspectList(db: Database, site: SiteRow, date: string, today: string, now: number): Promise<ProspectListReader | undefined> {
  const [stored, rules] = await Promise.all([storedList(db, site.id, date), findRuleSet(db, site.id, site.rulesVersion)]);
  const hasThreshold = rules?.rules.prospectAt !== undefined;
  if (stored) {
    const pageOf = (rows: ProspectRow[], limit: number): ProspectPage => {
      const shown = rows.slice(0, limit);
      const last = shown[shown.length - 1];
      return { rows: shown, nextCursor: rows.length > limit && last ? storedCursor(last) : null };
    };
    return {
      siteId: site.id,
      stored: true,
      hasThreshold,
      async page(limit, cursor) {
        const from = storedFrom(cursor);
        // Lists stored before lists were paged keep their lines in one row, bounded by D1's row size.
        if (!stored.paged) return pageOf((from ? stored.rows.filter(after(from)) : stored.rows).slice(0, limit + 1), limit);
        return pageOf(await listPage(db, site.id, date, limit + 1, from), limit);
      },
    };
  }
  if (date !== today) return undefined;
  const live = await openLiveList(db, site, rules?.rules, date, now);
  return {
    siteId: site.id,
    stored: false,
    hasThreshold: live.hasThreshold,
    async page(limit, cursor) {
      const { rows, next } = await live.page(limit, liveFrom(cursor));
      return { rows, nextCursor: next ? liveCursor(next) : null };
    },
  };
}
