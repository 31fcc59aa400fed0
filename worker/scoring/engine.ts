import type { Award, ScoredEvent } from "./event";
import { compile, type Compiled, type CompiledRule } from "./compile";
import { DAY_MS, earn } from "./decay";
import { totalAt } from "./evaluate";
import { localDay } from "./local-day";
import type { RuleSet, ScoringSettings } from "./rules";
import { cloneState, emptyState, MAX_TRAITS, type RuleTally, type ScoreState } from "./state";

/** The event type that carries a visitor's email and traits. */
export const IDENTIFY = "identify";

/**
 * The property the collector adds to beacon events with the country the edge located the request in
 * (clients cannot send it: names starting with __ are refused), and the trait it becomes.
 */
export const GEO_COUNTRY_PROP = "__country";
export const GEO_COUNTRY_TRAIT = "geo_country";

/**
 * The property the collector sets on an identify it verified (a browser identify whose `sig` matched the
 * site's identity secret, or one sent through the token-authenticated API). Clients cannot send it: names
 * starting with __ are refused.
 */
export const VERIFIED_PROP = "__verified";

/**
 * Takes email and traits from an identify event's properties. A verified identify may set anything. An
 * unverified one is a browser's claim: it may name (or rename) the email of a visitor whose email is not
 * verified, and set its traits, but changes nothing on a lead whose email is verified.
 */
function identify(state: ScoreState, props: Record<string, unknown>): void {
  const verified = props[VERIFIED_PROP] === true;
  if (!verified && state.emailVerified === true) return;
  for (const key of Object.keys(props)) {
    const value = props[key];
    if (key === "email") {
      if (typeof value === "string") {
        state.email = value.toLowerCase();
        state.emailVerified = verified;
      }
      continue;
    }
    // Names starting with __ are the collector's own (the located country, the verified mark), not traits.
    if (key.startsWith("__")) continue;
    if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") continue;
    if (!Object.hasOwn(state.traits, key) && Object.keys(state.traits).length >= MAX_TRAITS) continue;
    state.traits[key] = value;
  }
}

/**
 * Tries to award a rule at time `at` on local day `day`; returns the award, or null when its frequency,
 * daily limits or cap say no. A limit that leaves less room than the rule's points gives what is left.
 */
function fire(state: ScoreState, { rule, dimension, decay, once }: CompiledRule, day: string, at: number): Award | null {
  // The engine's states have prototype-free maps (emptyState, cloneState), so plain indexing is safe here.
  const tally: RuleTally = state.rules[rule.id] ?? { raw: 0, fired: 0 };
  if (once && tally.fired > 0) return null;
  const daily = rule.maxPerDay !== undefined || rule.maxPointsPerDay !== undefined;
  if (daily && tally.day !== day) {
    tally.day = day;
    tally.dayFired = 0;
    tally.dayPoints = 0;
  }
  if (rule.maxPerDay !== undefined && (tally.dayFired ?? 0) >= rule.maxPerDay) return null;
  let magnitude = Math.abs(rule.points);
  if (rule.maxPointsPerDay !== undefined) magnitude = Math.min(magnitude, rule.maxPointsPerDay - Math.abs(tally.dayPoints ?? 0));
  if (rule.cap !== undefined) magnitude = Math.min(magnitude, rule.cap - Math.abs(tally.raw));
  if (magnitude <= 0 && rule.points !== 0) return null;
  const points = Math.sign(rule.points) * magnitude;

  earn(tally, points, at, decay);
  tally.fired += 1;
  if (daily) {
    tally.dayFired = (tally.dayFired ?? 0) + 1;
    tally.dayPoints = (tally.dayPoints ?? 0) + points;
  }
  state.rules[rule.id] = tally;
  earn((state.dimensions[dimension] ??= { raw: 0 }), points, at, decay);
  return { rule: rule.id, points };
}

function fireAll(state: ScoreState, rules: readonly CompiledRule[], day: string, at: number, awards: Award[]): void {
  for (const r of rules) {
    const award = fire(state, r, day, at);
    if (award) awards.push(award);
  }
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
  const next = cloneState(state);
  return { state: next, awards: step(next, event, compile(rules), settings) };
}

/** apply() without the copy: changes `s` in place. */
function step(s: ScoreState, event: ScoredEvent, c: Compiled, settings: ScoringSettings): Award[] {
  const at = s.lastTs === null ? event.ts : Math.max(event.ts, s.lastTs);
  const day = localDay(at, settings.timezone);
  const awards: Award[] = [];
  s.firstTs ??= at;

  // Decay and absence move scores between events: someone who fell below the threshold since their
  // last event crosses it anew, at this event, if they reach it again.
  if (c.timeDependent && s.prospectSince !== null && totalAt(s, c, at) < c.rules.prospectAt) s.prospectSince = null;

  if (event.type === IDENTIFY && event.props) identify(s, event.props);
  const country = event.props?.[GEO_COUNTRY_PROP];
  if (typeof country === "string") s.traits[GEO_COUNTRY_TRAIT] = country;

  if (s.lastTs === null || at - s.lastTs > settings.visitTimeoutMs) {
    const previousEnd = s.lastTs;
    s.visits += 1;
    s.visitStart = at;
    const due = c.visitRules.filter(({ rule: { when } }) =>
      when.visit !== undefined
        ? when.visit === s.visits
        : when.visitsMoreThan !== undefined
          ? s.visits === when.visitsMoreThan + 1
          : previousEnd !== null && at - previousEnd <= (when.returnWithinDays as number) * DAY_MS,
    );
    fireAll(s, due, day, at, awards);
  }

  if (day !== s.lastDay) {
    s.activeDays += 1;
    s.lastDay = day;
    fireAll(s, c.dayRules.filter((r) => r.rule.when.distinctDays === s.activeDays), day, at, awards);
  }

  for (const type of c.typesOf(event)) {
    const candidates = c.byType.get(type);
    if (candidates) {
      for (const r of candidates) {
        if (!r.test(event)) continue;
        const award = fire(s, r, day, at);
        if (award) awards.push(award);
      }
    }
    if (c.watched.has(type)) s.lastOf[type] = at;
  }

  s.n += 1;
  s.lastTs = at;
  if (totalAt(s, c, at) >= c.rules.prospectAt) s.prospectSince ??= at;
  else s.prospectSince = null;
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
  const compiled = compile(rules);
  for (const event of dedupe(events)) step(state, event, compiled, settings);
  return state;
}
