import { fileOf, passes } from "./conditions";
import { fileNameMatcher, pathMatcher } from "./glob";
import { DAY_MS, decayOf, type Decay } from "./decay";
import type { ScoredEvent } from "./event";
import { dimensionOf, kindOf, type Rule, type RuleSet } from "./rules";
import { own, type ScoreState } from "./state";

/** The pricing_view type that page views on the site's pricing paths also count as. */
export const PRICING_VIEW = "pricing_view";

/** A rule with what the engine needs at hand to fire it. */
export interface CompiledRule {
  rule: Rule;
  dimension: string;
  decay: Decay;
  /** Fires at most once: frequency "once", or a milestone (Nth visit, more than N visits, N active days). */
  once: boolean;
  /** Fit and absence rules: does the rule hold for this state at time t? */
  holds?: (state: ScoreState, t: number) => boolean;
  /** Position of the rule's dimension among the floored ones, if it has a floor. */
  floorIndex?: number;
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
  /** Event types whose last time absence rules need. */
  watched: Set<string>;
  /** True when scores change with time alone (decay or absence rules). */
  timeDependent: boolean;
  /** Decay per dimension name, for the dimensions that have one. */
  decays: Map<string, Decay>;
  /** Floored dimensions: name to position, the floors by position, and a scratch array for their sums. */
  floorIndex: Map<string, number>;
  floorValues: number[];
  floorScratch: Float64Array;
  /** Fit rules on traits, and absence rules: they hold or not at any moment, without an event. */
  holdingRules: CompiledRule[];
  /** The types an event counts as: its own, plus pricing_view for a page view on a pricing path. */
  typesOf(event: ScoredEvent): readonly string[];
}

const compiledSets = new WeakMap<RuleSet, Compiled>();

/** Paths remembered per pattern; a site has few distinct paths, and the bound keeps a crawler from growing it. */
const MEMO_PATHS = 2_000;

/**
 * A path test (linear in the path, see glob.ts), remembered per path: the same few paths come back all
 * the time.
 */
function pathTest(pattern: string): (path: string) => boolean {
  const compiled = pathMatcher(pattern);
  const memo = new Map<string, boolean>();
  return (path) => {
    let hit = memo.get(path);
    if (hit === undefined) {
      if (memo.size >= MEMO_PATHS) memo.clear();
      hit = compiled(path);
      memo.set(path, hit);
    }
    return hit;
  };
}

// Several file rules look at the same download: split its file name once per event.
let lastFileEvent: ScoredEvent | null = null;
let lastFile: ReturnType<typeof fileOf> = null;
function fileOfEvent(e: ScoredEvent): ReturnType<typeof fileOf> {
  if (e !== lastFileEvent) {
    lastFileEvent = e;
    lastFile = fileOf(e.props?.file);
  }
  return lastFile;
}

function eventTest(rule: Rule): (event: ScoredEvent) => boolean {
  const { path, props, fileExt, fileName } = rule.when;
  const tests: ((e: ScoredEvent) => boolean)[] = [];
  if (path !== undefined) {
    const matches = pathTest(path);
    tests.push((e) => e.path != null && matches(e.path));
  }
  for (const [key, condition] of Object.entries(props ?? {})) tests.push((e) => passes(own(e.props, key), condition));
  if (fileExt !== undefined) tests.push((e) => fileExt.includes(fileOfEvent(e)?.ext ?? ""));
  if (fileName !== undefined) {
    const matches = fileNameMatcher(fileName);
    tests.push((e) => matches(fileOfEvent(e)?.name ?? ""));
  }
  if (tests.length === 0) return () => true;
  if (tests.length === 1) return tests[0] as (event: ScoredEvent) => boolean;
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
    watched: new Set(),
    timeDependent: Object.values(rules.dimensions).some((d) => d.decay !== undefined),
    decays: new Map(Object.entries(rules.dimensions).flatMap(([name, d]) => (d.decay ? [[name, d.decay] as const] : []))),
    floorIndex: new Map(),
    floorValues: [],
    floorScratch: new Float64Array(0),
    holdingRules: [],
    typesOf: () => [],
  };
  for (const [name, d] of Object.entries(rules.dimensions)) {
    if (d.floor === undefined) continue;
    compiled.floorIndex.set(name, compiled.floorValues.length);
    compiled.floorValues.push(d.floor);
  }
  compiled.floorScratch = new Float64Array(compiled.floorValues.length);
  for (const rule of rules.rules) {
    const kind = kindOf(rule.when);
    const dimension = dimensionOf(rule);
    const base: CompiledRule = {
      rule,
      dimension,
      decay: decayOf(rules, dimension),
      once: rule.frequency === "once" || kind === "visit" || kind === "visitsMoreThan" || kind === "distinctDays",
      floorIndex: compiled.floorIndex.get(dimension),
    };
    if (kind === "trait") {
      const { trait, equals, oneOf, contains, min, max } = rule.when;
      const condition = { equals, oneOf, contains, min, max };
      base.holds = (state) => passes(own(state.traits, trait as string), condition);
    } else if (kind === "absent") {
      const type = rule.when.absent as string;
      const period = (rule.when.days as number) * DAY_MS;
      // Counted from first seen for someone who never had the event.
      base.holds = (state, t) => state.firstTs !== null && t - (own(state.lastOf, type) ?? state.firstTs) >= period;
    }
    if (kind === "event") {
      const type = rule.when.event as string;
      byType.set(type, [...(byType.get(type) ?? []), { ...base, test: eventTest(rule) }]);
    } else if (kind === "distinctDays") compiled.dayRules.push(base);
    else if (kind === "trait") compiled.holdingRules.push(base);
    else if (kind === "absent") {
      compiled.holdingRules.push(base);
      compiled.watched.add(rule.when.absent as string);
      compiled.timeDependent = true;
    } else compiled.visitRules.push(base);
  }
  const pricing = rules.pricingPaths.map(pathTest);
  const pageview = ["pageview"];
  const pricedPageview = ["pageview", PRICING_VIEW];
  compiled.typesOf = (event) =>
    event.type !== "pageview" ? [event.type] : event.path && pricing.some((p) => p(event.path as string)) ? pricedPageview : pageview;
  compiledSets.set(rules, compiled);
  return compiled;
}
