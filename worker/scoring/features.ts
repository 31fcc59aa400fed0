import { compile } from "./compile";
import { outcomeOf } from "./outcomes";
import { kindOf, type RuleSet } from "./rules";
import type { ScoreState } from "./state";

/**
 * One input of the predictive model: how often an event or visit rule fired (as log(1 + firings)), whether
 * a fit or absence rule holds (0 or 1), or a numeric trait a rule tests with min/max (as log(1 + value)).
 */
export interface Feature {
  name: string;
  kind: "fired" | "holds" | "trait";
  /** The rule id, or for a trait feature the trait's name. */
  of: string;
}

/**
 * The features a rule set gives. Rules on outcome events are left out: an outcome explains itself, and a
 * model that learned from it would only say that won leads were won.
 */
export function featuresOf(rules: RuleSet): Feature[] {
  const features: Feature[] = [];
  const traits = new Set<string>();
  for (const rule of rules.rules) {
    const kind = kindOf(rule.when);
    if (kind === "event" && outcomeOf(rule.when.event as string)) continue;
    features.push({ name: rule.id, kind: kind === "trait" || kind === "absent" ? "holds" : "fired", of: rule.id });
    if (kind === "trait" && (rule.when.min !== undefined || rule.when.max !== undefined)) traits.add(rule.when.trait as string);
  }
  for (const trait of traits) features.push({ name: `trait:${trait}`, kind: "trait", of: trait });
  return features;
}

/** Per rule, how often it has fired for a lead by time t (1 for a fit or absence rule that holds; 0 left out). */
export function firedAt(state: ScoreState, rules: RuleSet, t: number): Record<string, number> {
  const fired: Record<string, number> = {};
  for (const r of compile(rules).holdingRules) if (r.holds?.(state, t)) fired[r.rule.id] = 1;
  for (const id in state.rules) {
    const n = state.rules[id]?.fired ?? 0;
    if (n > 0) fired[id] = n;
  }
  return fired;
}

/** Feature values, in the order of `features`, from per-rule firings and traits (missing ones give 0). */
export function featureValues(fired: Readonly<Record<string, number>>, traits: ScoreState["traits"], features: readonly Feature[]): number[] {
  return features.map((f) => {
    if (f.kind === "fired") return Math.log1p(fired[f.of] ?? 0);
    if (f.kind === "holds") return (fired[f.of] ?? 0) > 0 ? 1 : 0;
    const raw = traits[f.of];
    const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
    return Number.isFinite(n) ? Math.log1p(Math.max(0, n)) : 0;
  });
}
