import { compile, type Compiled } from "./compile";
import { passes } from "./conditions";
import { DAY_MS, decayOf, valueAt } from "./decay";
import { dimensionOf, type RuleSet } from "./rules";
import type { ScoreState } from "./state";

/** Is an absence rule's event missing for its whole period at time t? Counted from first seen if it never happened. */
function absent(state: ScoreState, type: string, days: number, t: number): boolean {
  if (state.firstTs === null) return false;
  const since = state.lastOf[type] ?? state.firstTs;
  return t - since >= days * DAY_MS;
}

/** Each dimension's score at time t: decayed event points, fit and absence rules that hold, floors. */
function dimensionsAt(state: ScoreState, c: Compiled, t: number, lifts?: Record<string, number>): Record<string, number> {
  const dims: Record<string, number> = {};
  for (const [name, earned] of Object.entries(state.dimensions)) dims[name] = valueAt(earned, t, decayOf(c.rules, name));
  for (const { rule, dimension } of c.traitRules) {
    const { trait, ...condition } = rule.when;
    if (trait !== undefined && traitPasses(state, trait, condition)) dims[dimension] = (dims[dimension] ?? 0) + rule.points;
  }
  for (const { rule, dimension } of c.absenceRules) {
    if (absent(state, rule.when.absent as string, rule.when.days as number, t)) dims[dimension] = (dims[dimension] ?? 0) + rule.points;
  }
  for (const [name, settings] of Object.entries(c.rules.dimensions)) {
    const value = dims[name] ?? 0;
    if (settings.floor !== undefined && value < settings.floor) {
      dims[name] = settings.floor;
      if (lifts) lifts[name] = settings.floor - value;
    }
  }
  return dims;
}

function traitPasses(state: ScoreState, trait: string, condition: Parameters<typeof passes>[1]): boolean {
  return passes(state.traits[trait], condition);
}

/** The total score at time t under a rule set. */
export function totalScore(state: ScoreState, rules: RuleSet, t: number): number {
  return totalAt(state, compile(rules), t);
}

/** The total score at time t (the sum of the dimensions). */
export function totalAt(state: ScoreState, c: Compiled, t: number): number {
  let total = 0;
  for (const value of Object.values(dimensionsAt(state, c, t))) total += value;
  return total;
}

/** One rule's part in a score. */
export interface RuleContribution {
  rule: string;
  label: string;
  dimension: string;
  /** What the rule adds now, after decay. */
  points: number;
  /** What it earned before decay. */
  earned: number;
  /** How often it fired (for fit and absence rules: 1 while it holds). */
  fired: number;
}

/** A visitor's score at a moment, and why. */
export interface Score {
  total: number;
  dimensions: Record<string, number>;
  /** The highest named class reached, or null. */
  class: string | null;
  /** Fit letter and engagement number, e.g. "B2", when the rule set has a grade matrix. */
  grade: string | null;
  prospect: boolean;
  breakdown: RuleContribution[];
}

/** Rounds for display; the engine itself keeps full precision. */
const round = (n: number) => Math.round(n * 100) / 100;

function gradeOf(value: number, scale: readonly { grade: string; min: number }[]): string | null {
  return [...scale].sort((a, b) => b.min - a.min).find((g) => value >= g.min)?.grade ?? null;
}

/** Scores a visitor at time t: the same answer for the same state, rules and time, wherever asked. */
export function evaluate(state: ScoreState, rules: RuleSet, t: number): Score {
  const c = compile(rules);
  const lifts: Record<string, number> = {};
  const dims = dimensionsAt(state, c, t, lifts);
  const total = Object.values(dims).reduce((a, b) => a + b, 0);
  const breakdown: RuleContribution[] = [];
  for (const rule of rules.rules) {
    const label = rule.label ?? rule.id;
    const compiled = [...c.traitRules, ...c.absenceRules].find((r) => r.rule === rule);
    if (compiled) {
      const { trait, absent: type, days, ...condition } = rule.when;
      const holds = trait !== undefined ? traitPasses(state, trait, condition) : absent(state, type as string, days as number, t);
      if (holds) breakdown.push({ rule: rule.id, label, dimension: compiled.dimension, points: rule.points, earned: rule.points, fired: 1 });
      continue;
    }
    const tally = state.rules[rule.id];
    if (!tally || tally.fired === 0) continue;
    const dimension = dimensionOf(rule);
    breakdown.push({ rule: rule.id, label, dimension, points: round(valueAt(tally, t, decayOf(rules, dimension))), earned: round(tally.raw), fired: tally.fired });
  }
  // A floor that lifted a dimension is part of the explanation too.
  for (const [dimension, lift] of Object.entries(lifts)) {
    breakdown.push({ rule: `floor:${dimension}`, label: `${dimension} floor`, dimension, points: round(lift), earned: 0, fired: 0 });
  }
  breakdown.sort((a, b) => b.points - a.points || a.rule.localeCompare(b.rule));
  const sortedClasses = [...rules.classes].sort((a, b) => b.min - a.min);
  const fit = dims.fit ?? 0;
  const engagement = dims.engagement ?? 0;
  const grade = rules.grades ? gradeOf(fit, rules.grades.fit) : null;
  const number = rules.grades ? gradeOf(engagement, rules.grades.engagement) : null;
  return {
    total: round(total),
    dimensions: Object.fromEntries(Object.entries({ engagement: 0, fit: 0, ...dims }).map(([k, v]) => [k, round(v)])),
    class: sortedClasses.find((cl) => total >= cl.min)?.name ?? null,
    grade: grade && number ? `${grade}${number}` : null,
    prospect: total >= rules.prospectAt,
    breakdown,
  };
}
