import type { Award, ScoredEvent } from "./event";
import { compile, type Compiled, type CompiledRule } from "./compile";
import { DAY_MS, earn } from "./decay";
import { totalAt } from "./evaluate";
import { firedAt } from "./features";
import { localDay } from "./local-day";
import { outcomeOf, outcomeRecord } from "./outcomes";
import { reachesThreshold, type RuleSet, type ScoringSettings } from "./rules";
import { cloneState, dict, emptyState, MAX_TRAITS, own, type RuleTally, type ScoreState } from "./state";

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

/** Is the lead a prospect at total `total`: over the threshold and not held off the list by a rejection. */
function isProspect(s: ScoreState, c: Compiled, total: number): boolean {
  return reachesThreshold(c.rules, total) && !s.outcome?.held;
}

/** The lead's score and per-rule firings at time t, kept with an outcome (see OutcomeRecord). */
function snapshot(s: ScoreState, c: Compiled, t: number): { score: number; fired: Record<string, number> } {
  return { score: totalAt(s, c, t), fired: firedAt(s, c.rules, t) };
}

/** apply() without the copy: changes `s` in place. */
function step(s: ScoreState, event: ScoredEvent, c: Compiled, settings: ScoringSettings): Award[] {
  const web = event.via !== "api";
  // States stored before events had an origin kept the last website time in lastTs.
  const lastWeb = s.lastWebTs === undefined ? s.lastTs : s.lastWebTs;
  // A website event stamped before the previous one counts at that time, so a late beacon never reopens
  // a visit; an API event (an email open, a CRM update, an outcome) keeps its own time.
  const at = web && lastWeb !== null ? Math.max(event.ts, lastWeb) : event.ts;
  // The latest moment the lead's history reaches: thresholds are judged as of then.
  const now = s.lastTs === null ? at : Math.max(at, s.lastTs);
  const day = localDay(at, settings.timezone);
  const awards: Award[] = [];
  s.firstTs = s.firstTs === null ? at : Math.min(s.firstTs, at);

  // Decay and absence move scores between events: someone who fell below the threshold since their
  // last event crosses it anew, at this event, if they reach it again. So does a rejected lead.
  if ((c.timeDependent && s.prospectSince !== null) || s.outcome?.held) {
    const below = !reachesThreshold(c.rules, totalAt(s, c, now));
    if (below) s.prospectSince = null;
    if (below && s.outcome?.held) s.outcome.held = false;
  }

  if (event.type === IDENTIFY && event.props) identify(s, event.props);
  const country = event.props?.[GEO_COUNTRY_PROP];
  if (typeof country === "string") s.traits[GEO_COUNTRY_TRAIT] = country;
  const outcome = outcomeOf(event.type);
  if (outcome && (!s.outcome || at >= s.outcome.at)) {
    s.outcome = { ...outcomeRecord(outcome, at, event.props), ...snapshot(s, c, now) };
    if (outcome === "rejected") s.prospectSince = null;
  }

  // Visits and active days are made of website events only.
  if (web) {
    if (lastWeb === null || at - lastWeb > settings.visitTimeoutMs) {
      s.visits += 1;
      s.visitStart = at;
      const due = c.visitRules.filter(({ rule: { when } }) =>
        when.visit !== undefined
          ? when.visit === s.visits
          : when.visitsMoreThan !== undefined
            ? s.visits === when.visitsMoreThan + 1
            : lastWeb !== null && at - lastWeb <= (when.returnWithinDays as number) * DAY_MS,
      );
      fireAll(s, due, day, at, awards);
    }
    if (day !== s.lastDay) {
      s.activeDays += 1;
      s.lastDay = day;
      fireAll(s, c.dayRules.filter((r) => r.rule.when.distinctDays === s.activeDays), day, at, awards);
    }
    s.lastWebTs = at;
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
    if (c.watched.has(type)) s.lastOf[type] = Math.max(s.lastOf[type] ?? at, at);
    for (const w of c.awaits) {
      const from = own(s.awaiting, w.id);
      if (type === w.since && (from === undefined || at < from)) (s.awaiting ??= dict())[w.id] = at;
      else if (type === w.absent && from !== undefined && at >= from && s.awaiting) delete s.awaiting[w.id];
    }
  }

  s.n += 1;
  s.lastTs = now;
  const total = totalAt(s, c, now);
  if (s.outcome?.held && !reachesThreshold(c.rules, total)) s.outcome.held = false;
  if (isProspect(s, c, total)) s.prospectSince ??= now;
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
