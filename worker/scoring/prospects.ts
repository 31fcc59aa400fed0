import { evaluate, type RuleContribution } from "./evaluate";
import type { RuleSet } from "./rules";
import { stageOf, type Stage } from "./outcomes";
import type { ScoreState } from "./state";

/** One line of the daily prospect list. */
export interface ProspectRow {
  visitorId: string;
  email: string | null;
  /** Whether the email is verified (signed by the site, or sent through the API) or only a browser's claim. */
  emailVerified: boolean;
  score: number;
  class: string | null;
  grade: string | null;
  /** When the visitor became a prospect (ms). */
  since: number;
  /** Not on the previous stored list. */
  isNew: boolean;
  /** prospect, or the lead's latest outcome (accepted, won, lost) while it is on the list. */
  stage?: Stage;
  /** The site's predictive model's probability that the lead is won, when the site has one. */
  probability?: number | null;
  /** The rules that give the most points now, best first. */
  reasons: Reason[];
}

export interface Reason {
  rule: string;
  label: string;
  points: number;
}

const reason = ({ rule, label, points }: RuleContribution): Reason => ({ rule, label, points });

/** A lead's line on the prospect list as of time t, or null when it is not a prospect then. */
export function prospectLine(
  v: { id: string; state: ScoreState; prospectSince: number | null },
  rules: RuleSet,
  t: number,
  previous: ReadonlySet<string>,
  predict: (state: ScoreState) => number | null = () => null,
  topReasons = 3,
): ProspectRow | null {
  const score = evaluate(v.state, rules, t);
  if (!score.prospect) return null;
  return {
    visitorId: v.id,
    email: v.state.email,
    emailVerified: v.state.emailVerified === true,
    score: score.total,
    class: score.class,
    grade: score.grade,
    // Crossings between events (by decay or absence) are dated by the sweep that found them.
    since: v.state.prospectSince ?? v.prospectSince ?? t,
    isNew: !previous.has(v.id),
    stage: stageOf(v.state.outcome, true),
    probability: predict(v.state),
    reasons: score.breakdown.filter((r) => r.points > 0).slice(0, topReasons).map(reason),
  };
}

/** Builds a prospect list as of time t from scored visitors, best first, flagging who was not on the previous list. */
export function prospectList(
  visitors: readonly { id: string; state: ScoreState; prospectSince: number | null }[],
  rules: RuleSet,
  t: number,
  previous: ReadonlySet<string>,
  predict: (state: ScoreState) => number | null = () => null,
  topReasons = 3,
): ProspectRow[] {
  const rows: ProspectRow[] = [];
  for (const v of visitors) {
    const line = prospectLine(v, rules, t, previous, predict, topReasons);
    if (line) rows.push(line);
  }
  return rows.sort(byRank);
}

/** List order: best score, then who crossed first, then id. */
export function byRank(a: ProspectRow, b: ProspectRow): number {
  return b.score - a.score || a.since - b.since || a.visitorId.localeCompare(b.visitorId);
}
