import type { RuleSet } from "./rules";
import type { ScoreState } from "./state";

/** One line of the daily prospect list. */
export interface ProspectRow {
  visitorId: string;
  score: number;
  /** When the visitor became a prospect (ms). */
  since: number;
  /** Not on the previous stored list. */
  isNew: boolean;
  /** The rules that gave the most points, best first. */
  reasons: Reason[];
}

export interface Reason {
  rule: string;
  label: string;
  points: number;
}

/** A rule's contributions to a visitor's score, largest first: the explanation of a score. */
export function breakdown(state: ScoreState, rules: RuleSet): (Reason & { fired: number })[] {
  const labels = new Map(rules.rules.map((r) => [r.id, r.label ?? r.id]));
  return Object.entries(state.rules)
    .map(([rule, tally]) => ({ rule, label: labels.get(rule) ?? rule, points: tally.points, fired: tally.fired }))
    .sort((a, b) => b.points - a.points || a.rule.localeCompare(b.rule));
}

/** Builds a prospect list from scored visitors, best first, flagging who was not on the previous list. */
export function prospectList(
  visitors: readonly { id: string; state: ScoreState }[],
  rules: RuleSet,
  previous: ReadonlySet<string>,
  topReasons = 3,
): ProspectRow[] {
  return visitors
    .filter((v) => v.state.prospectSince !== null)
    .map((v) => ({
      visitorId: v.id,
      score: v.state.total,
      since: v.state.prospectSince as number,
      isNew: !previous.has(v.id),
      reasons: breakdown(v.state, rules)
        .filter((r) => r.points > 0)
        .slice(0, topReasons)
        .map(({ rule, label, points }) => ({ rule, label, points })),
    }))
    .sort((a, b) => b.score - a.score || a.since - b.since || a.visitorId.localeCompare(b.visitorId));
}
