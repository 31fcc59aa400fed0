import { fileNameMatcher, fileOf, passes } from "./conditions";
import { decayOf, type Decay } from "./decay";
import type { ScoredEvent } from "./event";
import { dimensionOf, kindOf, type Rule, type RuleSet } from "./rules";

/** The pricing_view type that page views on the site's pricing paths also count as. */
export const PRICING_VIEW = "pricing_view";

/** A rule with what the engine needs at hand to fire it. */
export interface CompiledRule {
  rule: Rule;
  dimension: string;
  decay: Decay;
  /** Fires at most once: frequency "once", or a milestone (Nth visit, more than N visits, N active days). */
  once: boolean;
}

/** An event rule, with its test on an event of a matching type. */
export interface EventRule extends CompiledRule {
  test(event: ScoredEvent): boolean;
}

/** A rule set prepared for scoring: rules grouped by what triggers them. */
export interface Compiled {
  rules: RuleSet;
  /** Event rules by the event type they match. */
  byType: Map<string, EventRule[]>;
  /** Rules tested when a visit starts: Nth visit, more than N visits, return within N days. */
  visitRules: CompiledRule[];
  /** Rules tested on a visitor's first event of a local day: N distinct active days. */
  dayRules: CompiledRule[];
  /** Fit rules on traits, and absence rules: they hold or not at any moment. */
  traitRules: CompiledRule[];
  absenceRules: CompiledRule[];
  /** Event types whose last time absence rules need. */
  watched: Set<string>;
  /** True when scores change with time alone (decay or absence rules). */
  timeDependent: boolean;
  /** The types an event counts as: its own, plus pricing_view for a page view on a pricing path. */
  typesOf(event: ScoredEvent): readonly string[];
}

const compiledSets = new WeakMap<RuleSet, Compiled>();

function eventTest(rule: Rule): (event: ScoredEvent) => boolean {
  const { path, props, fileExt, fileName } = rule.when;
  const tests: ((e: ScoredEvent) => boolean)[] = [];
  if (path !== undefined) {
    const pattern = new URLPattern({ pathname: path });
    tests.push((e) => e.path != null && pattern.test({ pathname: e.path }));
  }
  for (const [key, condition] of Object.entries(props ?? {})) tests.push((e) => passes(e.props?.[key], condition));
  if (fileExt !== undefined) tests.push((e) => fileExt.includes(fileOf(e.props?.file)?.ext ?? ""));
  if (fileName !== undefined) {
    const matches = fileNameMatcher(fileName);
    tests.push((e) => matches(fileOf(e.props?.file)?.name ?? ""));
  }
  return (e) => tests.every((t) => t(e));
}

/** Prepares a rule set once; later calls with the same object are free. */
export function compile(rules: RuleSet): Compiled {
  const cached = compiledSets.get(rules);
  if (cached) return cached;
  const byType = new Map<string, EventRule[]>();
  const compiled: Compiled = {
    rules,
    byType,
    visitRules: [],
    dayRules: [],
    traitRules: [],
    absenceRules: [],
    watched: new Set(),
    timeDependent: Object.values(rules.dimensions).some((d) => d.decay !== undefined),
    typesOf: () => [],
  };
  for (const rule of rules.rules) {
    const kind = kindOf(rule.when);
    const dimension = dimensionOf(rule);
    const base: CompiledRule = {
      rule,
      dimension,
      decay: decayOf(rules, dimension),
      once: rule.frequency === "once" || kind === "visit" || kind === "visitsMoreThan" || kind === "distinctDays",
    };
    if (kind === "event") {
      const type = rule.when.event as string;
      byType.set(type, [...(byType.get(type) ?? []), { ...base, test: eventTest(rule) }]);
    } else if (kind === "distinctDays") compiled.dayRules.push(base);
    else if (kind === "trait") compiled.traitRules.push(base);
    else if (kind === "absent") {
      compiled.absenceRules.push(base);
      compiled.watched.add(rule.when.absent as string);
      compiled.timeDependent = true;
    } else compiled.visitRules.push(base);
  }
  const pricing = rules.pricingPaths.map((p) => new URLPattern({ pathname: p }));
  compiled.typesOf = (event) =>
    event.type === "pageview" && event.path && pricing.some((p) => p.test({ pathname: event.path as string })) ? [event.type, PRICING_VIEW] : [event.type];
  compiledSets.set(rules, compiled);
  return compiled;
}
