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

/** A lead's feature values at time t, in the order of `features` (missing rules and traits give 0). */
export function featureValues(state: ScoreState, rules: RuleSet, features: readonly Feature[], t: number): number[] {
  const holding = new Map(compile(rules).holdingRules.map((r) => [r.rule.id, r]));
  return features.map((f) => {
    if (f.kind === "fired") return Math.log1p(state.rules[f.of]?.fired ?? 0);
    if (f.kind === "holds") return holding.get(f.of)?.holds?.(state, t) ? 1 : 0;
    const raw = state.traits[f.of];
    const n = typeof raw === "number" ? raw : typeof raw === "string" && raw.trim() !== "" ? Number(raw) : NaN;
    return Number.isFinite(n) ? Math.log1p(Math.max(0, n)) : 0;
  });
}
