import type { SiteRow, VisitorRow } from "../../schema";
import type { Database } from "../store/db";
import { scanLeaders, type LeaderboardOrder, type ScanCursor, type ScanFilters } from "../store/visitor-reads";
import { compile } from "../scoring/compile";
import { evaluate, type Score } from "../scoring/evaluate";
import type { RuleSet } from "../scoring/rules";

/** Leads a filtered page looks at before it answers (fewer than `limit` matches then come with a cursor). */
export const FILTER_SCAN = 1000;

/** What the leaderboard can be narrowed to. */
export interface LeaderboardFilters {
  class?: string;
  grade?: string;
  prospect?: boolean;
  trait?: { name: string; equals: string };
}

/** A page of the leaderboard: leads with their scores as of now, and where the next page starts. */
export interface LeaderboardPage {
  leads: { row: VisitorRow; score: Score }[];
  next: ScanCursor | null;
}

/** The stored-score range a class or the prospect flag implies, for the SQL scan. */
function scoreRange(rules: RuleSet, f: LeaderboardFilters): Pick<ScanFilters, "minScore" | "belowScore"> {
  let minScore: number | undefined;
  let belowScore: number | undefined;
  const narrow = (min?: number, below?: number) => {
    if (min !== undefined) minScore = Math.max(minScore ?? -Infinity, min);
    if (below !== undefined) belowScore = Math.min(belowScore ?? Infinity, below);
  };
  if (f.prospect === true) narrow(rules.prospectAt);
  if (f.prospect === false) narrow(undefined, rules.prospectAt);
  if (f.class !== undefined) {
    const min = rules.classes.find((c) => c.name === f.class)?.min;
    const above = rules.classes.map((c) => c.min).filter((m) => min !== undefined && m > min);
    narrow(min, above.length ? Math.min(...above) : undefined);
  }
  return { minScore, belowScore };
}

function matches(score: Score, f: LeaderboardFilters): boolean {
  return (
    (f.class === undefined || score.class === f.class) &&
    (f.grade === undefined || score.grade === f.grade) &&
    (f.prospect === undefined || score.prospect === f.prospect)
  );
}

/**
 * A page of the site's leads in `order`, narrowed by `filters`, scored as of `now`. Unfiltered, it reads
 * one page; filtered, it looks at up to FILTER_SCAN leads and may answer fewer than `limit` with a cursor
 * to go on from. Class and prospect narrow the SQL scan by the stored score when scores do not move with
 * time; the class, grade and prospect flag shown are always evaluated now.
 */
export async function leaderboardPage(
  db: Database,
  site: SiteRow,
  rules: RuleSet,
  { order, limit, after, filters }: { order: LeaderboardOrder; limit: number; after?: ScanCursor; filters: LeaderboardFilters },
  now: number,
): Promise<LeaderboardPage> {
  const filtered = Object.values(filters).some((v) => v !== undefined);
  const range = compile(rules).timeDependent ? {} : scoreRange(rules, filters);
  const window = await scanLeaders(db, site.id, {
    order,
    after,
    scan: filtered ? Math.max(FILTER_SCAN, limit + 1) : limit + 1,
    filters: { ...range, ...(filters.trait ? { trait: filters.trait } : {}) },
  });
  const found = window.rows.map((row) => ({ row, score: evaluate(row.state, rules, now) })).filter((l) => matches(l.score, filters));
  const leads = found.slice(0, limit);
  const last = leads.at(-1);
  const keyOf = (r: VisitorRow): ScanCursor => ({ key: order === "score" ? r.score : r.lastSeen, id: r.id });
  return { leads, next: found.length > limit && last ? keyOf(last.row) : window.end };
}
