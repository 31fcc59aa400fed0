import type { Award, ScoredEvent } from "./event";
import type { Rule, RuleSet, ScoringSettings } from "./rules";
import { localDay } from "./local-day";
import { emptyState, MAX_TRAITS, type RuleTally, type ScoreState } from "./state";

/** The pricing_view type that page views on the site's pricing paths also count as. */
export const PRICING_VIEW = "pricing_view";
/** The event type that carries a visitor's email and traits. */
export const IDENTIFY = "identify";

interface CompiledRule {
  rule: Rule;
  /** For event rules: does this event match? */
  matches: ((types: readonly string[], path: string | null | undefined) => boolean) | null;
}

interface Compiled {
  eventRules: CompiledRule[];
  visitRules: Rule[];
  pricing: URLPattern[];
}

const compiledSets = new WeakMap<RuleSet, Compiled>();

function pathMatcher(pattern: string): (path: string | null | undefined) => boolean {
  const compiled = new URLPattern({ pathname: pattern });
  return (path) => path != null && compiled.test({ pathname: path });
}

function compile(rules: RuleSet): Compiled {
  let compiled = compiledSets.get(rules);
  if (compiled) return compiled;
  const eventRules: CompiledRule[] = [];
  const visitRules: Rule[] = [];
  for (const rule of rules.rules) {
    const { event, path, visit } = rule.when;
    if (visit !== undefined) {
      visitRules.push(rule);
      continue;
    }
    const onPath = path === undefined ? null : pathMatcher(path);
    eventRules.push({
      rule,
      matches: (types, eventPath) => types.includes(event as string) && (onPath === null || onPath(eventPath)),
    });
  }
  compiled = { eventRules, visitRules, pricing: rules.pricingPaths.map((p) => new URLPattern({ pathname: p })) };
  compiledSets.set(rules, compiled);
  return compiled;
}

/** The types an event counts as: its own, plus pricing_view for a page view on a pricing path. */
function typesOf(event: ScoredEvent, compiled: Compiled): readonly string[] {
  if (event.type === "pageview" && event.path && compiled.pricing.some((p) => p.test({ pathname: event.path as string }))) {
    return [event.type, PRICING_VIEW];
  }
  return [event.type];
}

/** Takes email and traits from an identify event's properties. */
function identify(state: ScoreState, props: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(props)) {
    if (key === "email") {
      if (typeof value === "string") state.email = value.toLowerCase();
      continue;
    }
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") continue;
    if (!(key in state.traits) && Object.keys(state.traits).length >= MAX_TRAITS) continue;
    state.traits[key] = value;
  }
}

/** Tries to award a rule; returns the award, or null when its frequency or daily cap says no. */
function fire(state: ScoreState, rule: Rule, day: string): Award | null {
  const tally: RuleTally = state.rules[rule.id] ?? { points: 0, fired: 0 };
  const once = rule.frequency === "once" || rule.when.visit !== undefined;
  if (once && tally.fired > 0) return null;
  if (rule.maxPerDay !== undefined) {
    const firedToday = tally.day === day ? (tally.dayFired ?? 0) : 0;
    if (firedToday >= rule.maxPerDay) return null;
    tally.day = day;
    tally.dayFired = firedToday + 1;
  }
  tally.points += rule.points;
  tally.fired += 1;
  state.rules[rule.id] = tally;
  state.total += rule.points;
  return { rule: rule.id, points: rule.points };
}

/**
 * Applies one event to a visitor's state and returns the new state (the input is not changed) with the
 * awards it earned. Events are applied in the order the collector accepted them; an event stamped
 * before the previous one is taken to happen at the previous one's time, so visits never reopen.
 */
export function apply(
  state: ScoreState,
  event: ScoredEvent,
  rules: RuleSet,
  settings: ScoringSettings,
): { state: ScoreState; awards: Award[] } {
  const next = structuredClone(state);
  return { state: next, awards: step(next, event, rules, settings) };
}

/** apply() without the copy: changes `next` in place. */
function step(next: ScoreState, event: ScoredEvent, rules: RuleSet, settings: ScoringSettings): Award[] {
  const compiled = compile(rules);
  const at = next.lastTs === null ? event.ts : Math.max(event.ts, next.lastTs);
  const day = localDay(at, settings.timezone);
  const awards: Award[] = [];

  if (next.lastTs === null || at - next.lastTs > settings.visitTimeoutMs) {
    next.visits += 1;
    next.visitStart = at;
    for (const rule of compiled.visitRules) {
      if (rule.when.visit === next.visits) {
        const award = fire(next, rule, day);
        if (award) awards.push(award);
      }
    }
  }

  if (event.type === IDENTIFY && event.props) identify(next, event.props);
  const types = typesOf(event, compiled);
  for (const { rule, matches } of compiled.eventRules) {
    if (matches && matches(types, event.path)) {
      const award = fire(next, rule, day);
      if (award) awards.push(award);
    }
  }

  next.n += 1;
  next.lastTs = at;
  if (next.total >= rules.prospectAt) next.prospectSince ??= at;
  else next.prospectSince = null;
  return awards;
}

/** Keeps the first event of each id: a retried or duplicated event counts once. */
export function dedupe<E extends { id: string }>(events: readonly E[], seen: ReadonlySet<string> = new Set()): E[] {
  const ids = new Set(seen);
  return events.filter((e) => (ids.has(e.id) ? false : (ids.add(e.id), true)));
}

/** Scores a visitor's whole history from scratch: the reference the incremental write path must equal. */
export function replay(events: readonly ScoredEvent[], rules: RuleSet, settings: ScoringSettings): ScoreState {
  const state = emptyState();
  for (const event of dedupe(events)) step(state, event, rules, settings);
  return state;
}
