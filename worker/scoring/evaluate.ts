import { compile, type Compiled, type CompiledRule } from "./compile";
import { decayOf, valueAt } from "./decay";
import { dimensionOf, type RuleSet } from "./rules";
import { dict, own, type Earned, type ScoreState } from "./state";

/** Each dimension's score at time t: decayed event points, fit and absence rules that hold, floors. */
function dimensionsAt(state: ScoreState, c: Compiled, t: number, lifts?: Record<string, number>): Record<string, number> {
  const dims = dict<number>();
  for (const name in state.dimensions) dims[name] = valueAt(state.dimensions[name] as Earned, t, c.decays.get(name));
  for (const r of c.holdingRules) dims[r.dimension] = (dims[r.dimension] ?? 0) + holdingPoints(state, r, t);
  for (const [name, settings] of Object.entries(c.rules.dimensions)) {
    const value = dims[name] ?? 0;
    if (settings.floor !== undefined && value < settings.floor) {
      dims[name] = settings.floor;
      if (lifts) lifts[name] = settings.floor - value;
    }
  }
  return dims;
}

/** The total score at time t under a rule set. */
export function totalScore(state: ScoreState, rules: RuleSet, t: number): number {
  return totalAt(state, compile(rules), t);
}

/** The total score at time t (the sum of the dimensions). */
export function totalAt(state: ScoreState, c: Compiled, t: number): number {
  // The engine asks after every event, so this adds up without building a per-dimension record;
  // only floored dimensions need their own sums, kept in a reused scratch array.
  const floored = c.floorScratch;
  floored.fill(0);
  let total = 0;
  for (const name in state.dimensions) {
    const value = valueAt(state.dimensions[name] as Earned, t, c.decays.get(name));
    total += value;
    const i = c.floorIndex.get(name);
    if (i !== undefined) floored[i] = (floored[i] as number) + value;
  }
  for (const r of c.holdingRules) {
    const points = holdingPoints(state, r, t);
    total += points;
    if (r.floorIndex !== undefined) floored[r.floorIndex] = (floored[r.floorIndex] as number) + points;
  }
  // A floor lifts its dimension to the floor.
  c.floorValues.forEach((floor, i) => {
    const value = floored[i] as number;
    if (value < floor) total += floor - value;
  });
  return total;
}

/** What a fit or absence rule adds at time t: its points while it holds. */
function holdingPoints(state: ScoreState, r: CompiledRule, t: number): number {
  return r.holds?.(state, t) ? r.rule.points : 0;
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
  const lifts = dict<number>();
  const dims = dimensionsAt(state, c, t, lifts);
  const total = Object.values(dims).reduce((a, b) => a + b, 0);
  const breakdown: RuleContribution[] = [];
  for (const rule of rules.rules) {
    const label = rule.label ?? rule.id;
    const holding = c.holdingRules.find((r) => r.rule === rule);
    if (holding) {
      if (holding.holds?.(state, t)) breakdown.push({ rule: rule.id, label, dimension: holding.dimension, points: rule.points, earned: rule.points, fired: 1 });
      continue;
    }
    const tally = own(state.rules, rule.id);
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
