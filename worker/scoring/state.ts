/** Points a rule or dimension has earned, kept so decay can be applied at any later time. */
export interface Earned {
  /** Points earned in all, before decay. */
  raw: number;
  /** Half-life decay: the decayed value as of `at` (ms). */
  value?: number;
  at?: number;
  /** Expiry decay: points per UTC day number, for the days still inside the window. */
  days?: Record<string, number>;
}

/** What the engine remembers per rule: enough to apply caps and decay without re-reading history. */
export interface RuleTally extends Earned {
  fired: number;
  /** Local day (YYYY-MM-DD) that dayFired and dayPoints count. */
  day?: string;
  dayFired?: number;
  dayPoints?: number;
}

/**
 * A visitor's complete scoring state. Its size is bounded by the number of rules and dimensions, never by
 * history, which is what keeps the cost of scoring one event flat.
 */
export interface ScoreState {
  /** Events applied so far. */
  n: number;
  /** Effective time of the first and last event (ms); effective times never go backwards. */
  firstTs: number | null;
  lastTs: number | null;
  visits: number;
  visitStart: number | null;
  /** Local days with activity, and the last of them. */
  activeDays: number;
  lastDay: string | null;
  rules: Record<string, RuleTally>;
  dimensions: Record<string, Earned>;
  /** Last time of each event type that an absence rule watches. */
  lastOf: Record<string, number>;
  /** When the score last reached the prospect threshold, as of the last event; null below it. */
  prospectSince: number | null;
  /** Identity from identify events: the lead's email and traits (latest value of each wins). */
  email: string | null;
  traits: Record<string, Trait>;
}

/** A trait value, as identify and server-side events set them. */
export type Trait = string | number | boolean;

/** At most this many distinct traits are kept per visitor; further new keys are ignored. */
export const MAX_TRAITS = 50;

/** The state of a visitor the collector has never seen. */
export function emptyState(): ScoreState {
  return {
    n: 0,
    firstTs: null,
    lastTs: null,
    visits: 0,
    visitStart: null,
    activeDays: 0,
    lastDay: null,
    rules: {},
    dimensions: {},
    lastOf: {},
    prospectSince: null,
    email: null,
    traits: {},
  };
}

const copyEarned = <E extends Earned>(e: E): E => (e.days ? { ...e, days: { ...e.days } } : { ...e });

/** A deep copy of a state, much cheaper than structuredClone for this known, JSON-shaped structure. */
export function cloneState(s: ScoreState): ScoreState {
  const rules: Record<string, RuleTally> = {};
  for (const id in s.rules) rules[id] = copyEarned(s.rules[id] as RuleTally);
  const dimensions: Record<string, Earned> = {};
  for (const name in s.dimensions) dimensions[name] = copyEarned(s.dimensions[name] as Earned);
  return { ...s, rules, dimensions, lastOf: { ...s.lastOf }, traits: { ...s.traits } };
}
